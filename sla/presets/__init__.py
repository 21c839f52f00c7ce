"""The presets: one policy per published support policy, shipped with Frontdesk.

Rules:
- A preset is named by its file stem (`owkin`, `kissflow`, `k0nsult`, `livepro`, `kiwi`).
- `load(name_or_path)` takes a preset name or a path to a TOML file; anything else raises PolicyError.
"""

from importlib import resources
from pathlib import Path

from sla.policy import Policy
from sla.policy_loader import load_policy, parse_policy
from sla.policy_reader import PolicyError


def names() -> list[str]:
    """The preset names, sorted."""
    files = resources.files(__name__).iterdir()
    return sorted(entry.name.removesuffix(".toml") for entry in files if entry.name.endswith(".toml"))


def load(name_or_path: str) -> Policy:
    """The preset called `name_or_path`, else the policy file at that path."""
    if name_or_path in names():
        text = resources.files(__name__).joinpath(f"{name_or_path}.toml").read_text(encoding="utf-8")
        return parse_policy(text, source=f"{name_or_path}.toml")
    path = Path(name_or_path)
    if path.suffix != ".toml" and not path.exists():
        raise PolicyError(name_or_path, "", f"is neither a preset ({', '.join(names())}) nor a policy file")
    return load_policy(path)
