"""Reading user CSVs and reference lists: every bad row is reported with its line number."""

from __future__ import annotations

import io

import pytest

from okta_async.cli._csvio import (
    InputFileError,
    RowError,
    UserRow,
    open_text,
    read_refs,
    read_user_rows,
)


def rows(text: str) -> list[UserRow | RowError]:
    return list(read_user_rows(io.StringIO(text)))


def test_valid_rows_become_profiles_with_login_defaulting_to_email() -> None:
    [row] = rows("email,first_name,Last Name,department\na@x.io,Ada,Lovelace,Eng\n")
    assert isinstance(row, UserRow)
    assert row.line == 2
    assert row.profile == {
        "email": "a@x.io",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "department": "Eng",
        "login": "a@x.io",
    }


def test_password_and_groups_columns_are_not_profile_attributes() -> None:
    [row] = rows("login,email,firstName,lastName,password,groups\nada,a@x.io,A,L, s3cret ,g1; g2\n")
    assert isinstance(row, UserRow)
    assert row.password == " s3cret "
    assert row.group_ids == ("g1", "g2")
    assert "password" not in row.profile and "groups" not in row.profile


def test_bad_rows_are_reported_with_their_line_and_the_others_still_parse() -> None:
    text = (
        "email,firstName,lastName\n"
        "a@x.io,Ada,Lovelace\n"
        "not-an-email,Bad,Email\n"
        "\n"
        "b@x.io,Bob\n"
        "c@x.io,,Missing\n"
        "d@x.io,Dee,Fine\n"
    )
    result = rows(text)
    errors = [r for r in result if isinstance(r, RowError)]
    good = [r for r in result if isinstance(r, UserRow)]
    assert [(e.line, e.message.split(" ")[0]) for e in errors] == [
        (3, "invalid"),
        (5, "expected"),
        (6, "missing"),
    ]
    assert [g.line for g in good] == [2, 7]
    assert str(errors[0]) == "line 3: invalid email 'not-an-email'"


def test_line_numbers_account_for_quoted_fields_spanning_lines() -> None:
    text = 'email,firstName,lastName,title\na@x.io,A,L,"two\nlines"\nbad,B,L,x\n'
    result = rows(text)
    assert isinstance(result[1], RowError)
    assert result[1].line == 4


def test_a_malformed_csv_record_is_reported_and_reading_goes_on() -> None:
    text = 'email,firstName,lastName\na@x.io,"A"x,L\nb@x.io,B,L\n'
    result = rows(text)
    assert isinstance(result[0], RowError) and result[0].line == 2
    assert "malformed CSV" in result[0].message
    assert isinstance(result[-1], UserRow) and result[-1].line == 3


def test_undecodable_bytes_are_reported_for_that_row(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "u.csv"  # type: ignore[operator]
    path.write_bytes(b"email,firstName,lastName\na@x.io,\xff\xfe,L\nb@x.io,B,L\n")
    with open_text(path) as fh:
        result = list(read_user_rows(fh))
    assert isinstance(result[0], RowError) and "UTF-8" in result[0].message
    assert isinstance(result[1], UserRow)


def test_a_header_without_required_columns_rejects_the_file() -> None:
    with pytest.raises(InputFileError, match="lastName"):
        rows("email,firstName\na@x.io,A\n")


def test_an_empty_file_is_rejected() -> None:
    with pytest.raises(InputFileError, match="empty"):
        rows("")


def test_a_missing_file_is_a_one_line_error(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        open_text(tmp_path / "absent.csv")  # type: ignore[operator]


def test_reference_lists_skip_comments_and_blanks() -> None:
    text = "# users to add\n00u1\n\nada@x.io\n"
    assert list(read_refs(io.StringIO(text), columns=("id", "login"))) == [
        (2, "00u1"),
        (4, "ada@x.io"),
    ]


def test_reference_lists_use_the_named_column_of_a_csv_export() -> None:
    text = "id,status,login\n00u1,ACTIVE,a@x.io\n00u2,ACTIVE,b@x.io\n"
    assert list(read_refs(io.StringIO(text), columns=("id", "login"))) == [
        (2, "00u1"),
        (3, "00u2"),
    ]
