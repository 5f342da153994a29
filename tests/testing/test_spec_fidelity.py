"""Every operation the fake org implements answers with a body that validates against the
response schema of that operation in Okta's current spec (the shared ``okta_doc`` fixture).

Known, deliberate status deviations (the fake follows live Okta, not the spec): deleting a user
or an app answers 204 No Content. The seed's ``expire_password?tempPassword=true`` (carried over
from 2.4.0 by the overlay) answers what the current spec calls
``expire_password_with_temp_password``; it is checked against that.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.testing.conftest import Api
from tests.testing.schema_check import SchemaChecker

STATUS_DEVIATIONS = {("DELETE", "/api/v1/users/{userId}"), ("DELETE", "/api/v1/apps/{appId}")}
CURRENT_ENDPOINT = {
    "/api/v1/users/{userId}/lifecycle/expire_password?tempPassword=false": (
        "/api/v1/users/{userId}/lifecycle/expire_password"
    ),
    "/api/v1/users/{userId}/lifecycle/expire_password?tempPassword=true": (
        "/api/v1/users/{userId}/lifecycle/expire_password_with_temp_password"
    ),
}


@pytest.fixture(scope="module")
def checker(okta_doc: dict[str, Any]) -> SchemaChecker:
    return SchemaChecker(okta_doc)


class Recorder:
    """Calls the fake org and checks each answer against the spec."""

    def __init__(self, api: Api, checker: SchemaChecker) -> None:
        self.api = api
        self.checker = checker
        self.covered: set[tuple[str, str]] = set()
        self.problems: list[str] = []

    async def __call__(
        self, method: str, template: str, path: str, body: Any = None, params: Any = None
    ) -> Any:
        reply = await self.api.call(method, path, body, params=params)
        assert 200 <= reply.status < 300, (method, path, reply.status, reply.body)
        spec_template = CURRENT_ENDPOINT.get(template, template)
        documented, schema = self.checker.response_schema(method, spec_template, reply.status)
        if not documented and (method, template) not in STATUS_DEVIATIONS:
            self.problems.append(f"{method} {template}: status {reply.status} not in spec")
        if schema is not None:
            for error in self.checker.check(reply.body, schema):
                self.problems.append(f"{method} {template}: {error}")
        self.covered.add((method, template))
        return reply.body


async def test_all_implemented_operations_match_the_spec(api: Api, checker: SchemaChecker) -> None:
    call = Recorder(api, checker)
    u = "/api/v1/users"
    profile = {
        "login": "s@example.com",
        "email": "s@example.com",
        "firstName": "S",
        "lastName": "P",
    }
    user = await call(
        "POST", u, u, {"profile": profile, "credentials": {"password": {"value": "Passw0rd!"}}}
    )
    staged = await call(
        "POST", u, u, {"profile": {**profile, "login": "t@example.com"}}, {"activate": "false"}
    )
    uid, sid = user["id"], staged["id"]
    one = u + "/{userId}"
    await call("GET", u, u)
    await call("GET", one, f"{u}/{uid}")
    await call("POST", one, f"{u}/{uid}", {"profile": {"title": "x"}})
    await call("PUT", one, f"{u}/{uid}", {"profile": {**profile, "title": "y"}})
    life = one + "/lifecycle/"
    await call(
        "POST", life + "activate", f"{u}/{sid}/lifecycle/activate", None, {"sendEmail": "false"}
    )
    await call(
        "POST", life + "reactivate", f"{u}/{sid}/lifecycle/reactivate", None, {"sendEmail": "false"}
    )
    await call("POST", life + "suspend", f"{u}/{uid}/lifecycle/suspend")
    await call("POST", life + "unsuspend", f"{u}/{uid}/lifecycle/unsuspend")
    api.org.set_user_status(uid, "LOCKED_OUT")
    await call("POST", life + "unlock", f"{u}/{uid}/lifecycle/unlock")
    await call(
        "POST",
        life + "expire_password?tempPassword=false",
        f"{u}/{uid}/lifecycle/expire_password",
    )
    await call(
        "POST",
        life + "expire_password?tempPassword=true",
        f"{u}/{uid}/lifecycle/expire_password",
        None,
        {"tempPassword": "true"},
    )
    await call(
        "POST",
        life + "reset_password",
        f"{u}/{uid}/lifecycle/reset_password",
        None,
        {"sendEmail": "false"},
    )

    g = "/api/v1/groups"
    group = await call("POST", g, g, {"profile": {"name": "Spec", "description": "d"}})
    gid = group["id"]
    await call("GET", g, g)
    await call("GET", g + "/{groupId}", f"{g}/{gid}")
    await call("PUT", g + "/{groupId}", f"{g}/{gid}", {"profile": {"name": "Spec2"}})
    await call("PUT", g + "/{groupId}/users/{userId}", f"{g}/{gid}/users/{uid}")
    await call("GET", g + "/{groupId}/users", f"{g}/{gid}/users")
    await call("GET", one + "/groups", f"{u}/{uid}/groups")

    a = "/api/v1/apps"
    app_one = a + "/{appId}"
    apps = []
    for body in (
        {
            "label": "Saml",
            "signOnMode": "SAML_2_0",
            "settings": {"signOn": {"ssoAcsUrl": "https://x"}},
        },
        {"label": "Oidc", "signOnMode": "OPENID_CONNECT"},
        {"label": "Mark", "signOnMode": "BOOKMARK", "settings": {"app": {"url": "https://x"}}},
        {"label": "Basic", "signOnMode": "BASIC_AUTH"},
    ):
        apps.append(await call("POST", a, a, body))
    aid = apps[0]["id"]
    await call("GET", a, a)
    await call("GET", app_one, f"{a}/{aid}")
    await call("PUT", app_one, f"{a}/{aid}", {"label": "Saml 2", "signOnMode": "SAML_2_0"})
    await call(
        "POST",
        app_one + "/users",
        f"{a}/{aid}/users",
        {"id": uid, "credentials": {"userName": "s"}},
    )
    await call("GET", app_one + "/users", f"{a}/{aid}/users")
    await call("GET", app_one + "/users/{userId}", f"{a}/{aid}/users/{uid}")
    await call(
        "POST", app_one + "/users/{userId}", f"{a}/{aid}/users/{uid}", {"profile": {"k": "v"}}
    )
    await call("PUT", app_one + "/groups/{groupId}", f"{a}/{aid}/groups/{gid}", {"priority": 0})
    await call("GET", app_one + "/groups", f"{a}/{aid}/groups")
    await call("GET", app_one + "/groups/{groupId}", f"{a}/{aid}/groups/{gid}")
    await call("GET", one + "/appLinks", f"{u}/{uid}/appLinks")
    await call("DELETE", app_one + "/groups/{groupId}", f"{a}/{aid}/groups/{gid}")
    await call("DELETE", app_one + "/users/{userId}", f"{a}/{aid}/users/{uid}")
    await call("POST", app_one + "/lifecycle/deactivate", f"{a}/{aid}/lifecycle/deactivate")
    await call("POST", app_one + "/lifecycle/activate", f"{a}/{aid}/lifecycle/activate")
    await call("POST", app_one + "/lifecycle/deactivate", f"{a}/{aid}/lifecycle/deactivate")
    await call("DELETE", app_one, f"{a}/{aid}")

    r = g + "/rules"
    rule_body = {
        "type": "group_rule",
        "name": "Spec rule",
        "conditions": {"expression": {"value": 'user.department=="Spec"'}},
        "actions": {"assignUserToGroups": {"groupIds": [gid]}},
    }
    rule = await call("POST", r, r, rule_body)
    rid = rule["id"]
    await call("GET", r, r)
    await call("GET", r + "/{ruleId}", f"{r}/{rid}")
    await call("PUT", r + "/{ruleId}", f"{r}/{rid}", {**rule_body, "name": "Spec rule 2"})
    await call("POST", r + "/{ruleId}/lifecycle/activate", f"{r}/{rid}/lifecycle/activate")
    await call("POST", r + "/{ruleId}/lifecycle/deactivate", f"{r}/{rid}/lifecycle/deactivate")
    await call("DELETE", r + "/{ruleId}", f"{r}/{rid}")

    await call("DELETE", g + "/{groupId}/users/{userId}", f"{g}/{gid}/users/{uid}")
    await call("DELETE", g + "/{groupId}", f"{g}/{gid}")
    await call("GET", "/api/v1/logs", "/api/v1/logs")
    await call("POST", life + "deactivate", f"{u}/{uid}/lifecycle/deactivate")
    await call("DELETE", one, f"{u}/{uid}")

    served = {
        (route.method, route.resource.canonical)
        for route in api.org.app.router.routes()
        if route.resource is not None
        and route.method != "HEAD"
        and route.resource.canonical.startswith("/api/v1/")
        and not route.resource.canonical.endswith("/")  # trailing-slash twins: same handlers
    }
    covered = {(m, t.split("?", 1)[0]) for m, t in call.covered}
    assert served - covered == set(), "operations served but not checked against the spec"
    assert call.problems == [], "\n".join(call.problems)


def test_checker_rejects_bodies_that_break_the_schema(checker: SchemaChecker) -> None:
    _, schema = checker.response_schema("GET", "/api/v1/users/{userId}", 200)
    bad = {"id": 5, "status": "NOPE", "created": "yesterday", "profile": {"login": ["x"]}}
    errors = checker.check(bad, schema)
    assert len(errors) == 4, errors
    _, app_schema = checker.response_schema("GET", "/api/v1/apps/{appId}", 200)
    saml = {"signOnMode": "SAML_2_0", "settings": {"signOn": {"ssoAcsUrl": 3}}}
    assert checker.check(saml, app_schema) == [
        "$.settings.signOn.ssoAcsUrl: expected string, got int"
    ]
