"""Where people's public pages are: addresses that printed documents and other packages' pages point to."""

from urllib.parse import urlsplit

CARD_PAGE = "/card"
# A one-time link to choose a password: /password/<token>.
PASSWORD_LINK_PAGE = "/password"


def password_link(base_url: str, token: str) -> str:
    """The one-time link to choose a password (an invitation or a reset)."""
    return f"{base_url}{PASSWORD_LINK_PAGE}/{token}"


def card_link(base_url: str, code: str) -> str:
    """The one-time link a sign-in card's QR code holds."""
    return f"{base_url}{CARD_PAGE}/{code}"


def card_typing_address(base_url: str) -> str:
    """The card page as printed for typing by hand: no scheme (nisa.gov.kh/card)."""
    parts = urlsplit(base_url)
    return f"{parts.netloc}{parts.path.rstrip('/')}{CARD_PAGE}"
