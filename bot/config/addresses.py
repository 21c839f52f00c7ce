"""What the desk config's integration tables share about where a call goes and where its secret is.

Rules:
- `is_loopback(host)`: localhost, 127.0.0.0/8 or ::1. Only there may a service's URL be plain http (tests and a
  relay on the same machine); anywhere else a token or a signature would travel in cleartext.
- `env_variable(reader, key)`: the name of the environment variable that holds a secret (never the secret itself):
  letters, digits and underscores, not starting with a digit.
"""

import ipaddress
import re

from sla.policy_reader import Reader

_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def env_variable(reader: Reader, key: str) -> str:
    """The variable `key` names (required), checked to be a variable's name."""
    variable = reader.value(key, str, required=True)
    if not _VARIABLE.match(variable):
        raise reader.error(f'"{variable}" is not the name of an environment variable', key)
    return variable
