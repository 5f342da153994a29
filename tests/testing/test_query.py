"""The filter/search expression language on its own."""

from __future__ import annotations

import pytest

from okta_async.testing._util import ApiError
from okta_async.testing.query import Expression

USER = {
    "status": "ACTIVE",
    "lastUpdated": "2024-05-01T10:00:00.000Z",
    "profile": {"login": "Ada@Example.com", "department": "Eng", "level": 3, "vip": True},
    "target": [{"id": "00u1", "type": "User"}, {"id": "00g1", "type": "UserGroup"}],
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('status eq "ACTIVE"', True),
        ('status eq "active"', True),
        ('status ne "ACTIVE"', False),
        ('profile.login sw "ada@"', True),
        ('profile.login co "example"', True),
        ('profile.login ew ".com"', True),
        ('lastUpdated gt "2024-04-30T00:00:00.000Z"', True),
        ('lastUpdated lt "2024-05-01T09:00:00Z"', False),
        ('lastUpdated ge "2024-05-01T10:00:00.000Z"', True),
        ('lastUpdated le "2024-05-01T11:00:00+01:00"', True),
        ("profile.level gt 2", True),
        ("profile.vip eq true", True),
        ("profile.missing pr", False),
        ("profile.department pr", True),
        ('status eq "STAGED" or profile.department eq "Eng"', True),
        ('status eq "STAGED" or (profile.department eq "Eng" and profile.level lt 3)', False),
        ('not (status eq "STAGED")', True),
        ('target.id eq "00g1"', True),
        ('target.type eq "AppInstance"', False),
        ('profile.login eq "say \\"hi\\""', False),
    ],
)
def test_expression_evaluation(expr: str, expected: bool) -> None:
    assert Expression(expr).matches(USER) is expected


@pytest.mark.parametrize(
    "expr", ["", "status", "status eq", 'status zz "x"', '(status eq "A"', 'status eq "A")']
)
def test_malformed_expressions_raise_okta_e0000031(expr: str) -> None:
    with pytest.raises(ApiError) as info:
        Expression(expr)
    assert info.value.code == "E0000031"
