"""Fast deterministic seeding of users, groups and apps (dicts built directly, no HTTP).

Seeded users are all ACTIVE with a password, logins ``first.last<N>@example.com``, spread over
a few departments, created at increasing times over the past year (so ``lastUpdated`` filters
have something to select). Every org starts with the BUILT_IN ``Everyone`` group, created a year
ago, which every user joins. Seeded user ``i`` is a member of seeded group ``i % groups``; seeded
app ``k`` is assigned to seeded group ``k % groups``, so that group's members are its
``scope: GROUP`` app users. Seeding writes no System Log events: it is
the org's state before the test starts.
"""

from __future__ import annotations

import gc
import random
import time

from okta_async.testing._util import Json, okta_time
from okta_async.testing.apps import build_app, insert_app, new_app_user
from okta_async.testing.groups import ensure_everyone, insert_group, new_group_record
from okta_async.testing.state import OrgState
from okta_async.testing.users import new_user_record

FIRST_NAMES = [
    "Ada",
    "Alan",
    "Barbara",
    "Brian",
    "Claude",
    "Dana",
    "Edsger",
    "Frances",
    "Grace",
    "Guido",
    "Hedy",
    "Ivan",
    "Jean",
    "Ken",
    "Linus",
    "Margaret",
    "Niklaus",
    "Olga",
    "Peter",
    "Radia",
    "Sophie",
    "Tim",
    "Ursula",
    "Vint",
    "Whitfield",
    "Xiao",
    "Yukihiro",
    "Zoe",
]
LAST_NAMES = [
    "Lovelace",
    "Turing",
    "Liskov",
    "Kernighan",
    "Shannon",
    "Scott",
    "Dijkstra",
    "Allen",
    "Hopper",
    "Rossum",
    "Lamarr",
    "Sutherland",
    "Sammet",
    "Thompson",
    "Torvalds",
    "Hamilton",
    "Wirth",
    "Ladyzhenskaya",
    "Naur",
    "Perlman",
    "Wilson",
    "Berners",
    "Franklin",
    "Cerf",
    "Diffie",
    "Tan",
    "Matsumoto",
    "Lin",
]
DEPARTMENTS = ("Engineering", "Sales", "Marketing", "Finance", "Support", "Legal", "Operations")
YEAR = 365 * 24 * 3600.0

_APP_TEMPLATES: tuple[Json, ...] = (
    {
        "signOnMode": "BOOKMARK",
        "name": "bookmark",
        "settings": {"app": {"requestIntegration": False, "url": "https://example.com/bookmark"}},
    },
    {
        "signOnMode": "SAML_2_0",
        "settings": {
            "signOn": {
                "ssoAcsUrl": "https://sp.example.com/acs",
                "audience": "https://sp.example.com",
                "recipient": "https://sp.example.com/acs",
                "destination": "https://sp.example.com/acs",
                "subjectNameIdTemplate": "${user.userName}",
                "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                "signatureAlgorithm": "RSA_SHA256",
                "digestAlgorithm": "SHA256",
            }
        },
    },
    {
        "signOnMode": "OPENID_CONNECT",
        "name": "oidc_client",
        "settings": {
            "oauthClient": {
                "redirect_uris": ["https://app.example.com/callback"],
                "response_types": ["code"],
                "grant_types": ["authorization_code"],
                "application_type": "web",
            }
        },
    },
    {
        "signOnMode": "BASIC_AUTH",
        "name": "template_basic_auth",
        "settings": {
            "app": {"url": "https://example.com/login", "authURL": "https://example.com/auth"}
        },
    },
    {
        "signOnMode": "AUTO_LOGIN",
        "settings": {
            "signOn": {
                "redirectUrl": "https://example.com",
                "loginUrl": "https://example.com/login",
            }
        },
    },
)


def seed_org(state: OrgState, *, users: int = 0, groups: int = 0, apps: int = 0) -> None:
    """Populate ``state`` with ``users`` users, ``groups`` groups and ``apps`` apps.

    The cyclic garbage collector is paused meanwhile: building ~10^6 small dicts otherwise
    triggers repeated full collections that cost more than the building itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _seed(state, users, groups, apps)
    finally:
        if was_enabled:
            gc.enable()


def _seed(state: OrgState, users: int, groups: int, apps: int) -> None:
    rng = random.Random(f"seed:{state.seed}")
    now = time.time()
    start = now - YEAR
    step = (YEAR - 3600.0) / max(users + groups + apps, 1)
    moment = start
    store = state.store
    everyone = store.members[ensure_everyone(state, okta_time(start))["id"]]
    group_ids: list[str] = []
    for k in range(groups):
        moment += step
        group = new_group_record(
            state.ids.new("00g"),
            f"Fake Group {k + 1:04d}",
            f"Seeded group {k + 1}",
            okta_time(moment),
        )
        insert_group(state, group)
        group_ids.append(group["id"])
    n_first, n_last, n_dept = len(FIRST_NAMES), len(LAST_NAMES), len(DEPARTMENTS)
    users_put = store.users.put
    index_login = store.index_login
    new_id = state.ids.new
    for i in range(users):
        moment += step
        first = FIRST_NAMES[rng.randrange(n_first)]
        last = LAST_NAMES[rng.randrange(n_last)]
        login = f"{first}.{last}{i + 1}@example.com".lower()
        profile = {
            "firstName": first,
            "lastName": last,
            "email": login,
            "login": login,
            "department": DEPARTMENTS[i % n_dept],
            "title": "Engineer" if i % n_dept == 0 else "Specialist",
            "employeeNumber": str(100000 + i),
            "mobilePhone": None,
        }
        user = new_user_record(
            new_id("00u"), profile, "ACTIVE", okta_time(moment), has_password=True
        )
        users_put(user["id"], user)
        everyone.put(user["id"], user)
        index_login(user["id"], login)
        if group_ids:
            store.members[group_ids[i % len(group_ids)]].put(user["id"], {"id": user["id"]})
    for k in range(apps):
        moment += step
        template = _APP_TEMPLATES[k % len(_APP_TEMPLATES)]
        body = {**template, "label": f"Fake App {k + 1:03d}"}
        app = build_app(state, body, "ACTIVE", okta_time(moment))
        insert_app(state, app)
        if group_ids:
            gid = group_ids[k % len(group_ids)]
            stamp = okta_time(moment)
            store.app_groups[app["id"]].put(
                gid, {"id": gid, "lastUpdated": stamp, "priority": 0, "profile": {}}
            )
            app_users = store.app_users[app["id"]]
            for user_id in store.members[gid].items:
                user = store.users.items[user_id]
                app_users.put(user_id, new_app_user(user, stamp, scope="GROUP"))
    state._last_time = max(state._last_time, moment)
