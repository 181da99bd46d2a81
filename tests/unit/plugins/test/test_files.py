"""file_holds: true only for a regular file with exactly the content and the mode."""

from ansible_collections.corp.infra.plugins.test.files import file_holds


def test_a_file_with_the_content_and_mode_holds_it(tmp_path):
    path = tmp_path / "prod.json"
    path.write_text('{"a": 1}\n')
    path.chmod(0o644)
    assert file_holds(str(path), '{"a": 1}\n', "0644")
    assert file_holds(str(path), '{"a": 1}\n')


def test_another_content_mode_or_kind_does_not(tmp_path):
    path = tmp_path / "prod.json"
    path.write_text('{"a": 1}\n')
    path.chmod(0o600)
    assert not file_holds(str(path), '{"a": 2}\n', "0600")
    assert not file_holds(str(path), '{"a": 1}', "0600")
    assert not file_holds(str(path), '{"a": 1}\n', "0644")
    assert not file_holds(str(tmp_path / "missing.json"), "", None)
    assert not file_holds(str(tmp_path), "", None)
