"""tools/addons.py, the addon list every tool reads: dependency order, the
installable ones, what an addon needs, and a cycle refused."""

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "addons", Path(__file__).resolve().parents[2] / "tools" / "addons.py"
)
addons = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(addons)


def make(tmp_path, **depends):
    """One addon folder per keyword: its depends, or a dict for the whole manifest."""
    for name, spec in depends.items():
        manifest = spec if isinstance(spec, dict) else {"depends": spec}
        (tmp_path / name).mkdir()
        (tmp_path / name / "__manifest__.py").write_text(repr(manifest))
    return tmp_path


def test_the_repository_planning_first_the_connector_before_what_extends_it():
    found = addons.names()
    assert found[0] == "openfire_planning"
    connector = found.index("openfire_google_calendar")
    assert found.index("openfire_google_calendar_queue_job") > connector
    assert found.index("test_openfire_google_calendar") > connector
    assert set(found) == {path.parent.name for path in addons.ROOT.glob("*/__manifest__.py")}


def test_dependency_order_then_name(tmp_path):
    source = make(tmp_path, c=["b", "mail"], b=["a"], a=["base"], d=[])
    assert addons.names(source) == ["a", "b", "c", "d"]


def test_installable_and_needed_by(tmp_path):
    source = make(tmp_path, a=[], b=["a"], glue=["b", "queue_job"], old={"installable": False})
    assert addons.names(source, installable=True) == ["a", "b", "glue"]
    assert addons.names(source, needed_by="b") == ["a", "b"]
    with pytest.raises(addons.AddonError):
        addons.names(source, needed_by="queue_job")


def test_a_cycle_is_refused(tmp_path):
    with pytest.raises(addons.AddonError, match="cycle"):
        addons.names(make(tmp_path, a=["b"], b=["a"]))


def test_cli_for_shell_scripts(tmp_path, capsys):
    assert addons.main(["--sep", ",", "--source", str(make(tmp_path, a=[], b=["a"]))]) == 0
    assert capsys.readouterr().out == "a,b\n"
    assert addons.main(["--source", str(tmp_path / "a")]) == 1
