from tne.accounts.services import create_api_token


class TokenClient:
    """Calls the API as ``user`` with a fresh personal token."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        self.token, self.raw = create_api_token(user=user, name="Tests")

    def get(self, path: str, **params):
        return self.client.get(
            f"/api/v1{path}", params, headers={"Authorization": f"Bearer {self.raw}"}
        )


class SessionClient:
    """Calls the API as ``user`` from a browser session (roles that hold no API token)."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        client.force_login(user)

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params)
