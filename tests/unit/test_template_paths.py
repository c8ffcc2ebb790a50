"""The templates' url_for works out a fixed path once, and never keeps a path that carries a key."""

from types import SimpleNamespace
from typing import Any

from onetime.keys import new_key
from web.templating import fixed_paths_once


class CountingApp:
    """Stands in for the app: answers route_reverse like Litestar and counts the calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def route_reverse(self, name: str, **parameters: Any) -> str:
        self.calls.append((name, parameters))
        return "/" + "/".join([name, *map(str, parameters.values())])


def context_of(app: CountingApp) -> dict[str, Any]:
    return {"request": SimpleNamespace(app=app)}


def test_a_path_without_parameters_is_worked_out_once() -> None:
    app, url_for = CountingApp(), fixed_paths_once()
    assert [url_for(context_of(app), "home") for _ in range(3)] == ["/home"] * 3
    assert app.calls == [("home", {})]


def test_a_path_with_a_key_is_worked_out_every_time_and_never_kept() -> None:
    app, url_for = CountingApp(), fixed_paths_once()
    first, second = new_key(), new_key()
    assert url_for(context_of(app), "burn", metadata_key=first) == f"/burn/{first}"
    assert url_for(context_of(app), "burn", metadata_key=second) == f"/burn/{second}"
    assert url_for(context_of(app), "burn", metadata_key=first) == f"/burn/{first}"
    assert len(app.calls) == 3
    kept = [cell.cell_contents for cell in url_for.__closure__ or () if isinstance(cell.cell_contents, dict)]
    assert kept == [{}]


def test_each_app_works_out_its_own_paths() -> None:
    one, other = fixed_paths_once(), fixed_paths_once()
    app = CountingApp()
    one(context_of(app), "home")
    other(context_of(app), "home")
    assert len(app.calls) == 2
