from okta_async import UNSET, Unset


def test_unset_is_falsy_singleton_with_stable_repr() -> None:
    assert not UNSET
    assert UNSET is Unset.UNSET
    assert repr(UNSET) == "UNSET"
