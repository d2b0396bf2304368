"""my-provider: a sluice normalizer written in Python.

componentize-py turns this module into a WebAssembly component exporting
`sluice:plugin/source@0.4.0`. Binding conventions (generated into `wit_world`):

- The exported interface `source` is implemented by a class named `Source`
  in this module, subclassing `wit_world.exports.Source`. Every call runs in
  a fresh component instance: keep no state between calls.
- WIT names become snake_case: `provider-id` is `provider_id`, `%stream` is
  `stream`. Records are dataclasses (`Team`, `Batch`, ...).
- `option<T>` is `T` or `None`. `list<u8>` is `bytes`.
- A variant case is a class named `Variant_Case` holding `.value`:
  `Record_Team(Team(...))`, `PluginError_InvalidParams("...")`.
- `result<T, E>`: return `T` for ok; for the error, raise
  `componentize_py_types.Err(E)`. Any other exception traps the component,
  which the host reports as a crash, so turn bad input into an `Err`.
"""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports.types import (
    Batch,
    HttpRequest,
    HttpResponse,
    PluginError_InvalidParams,
    PluginError_MalformedResponse,
    PluginError_UnknownStream,
    Record_Team,
    Reject,
    Team,
)

S32 = range(-(2**31), 2**31)


class Source(exports.Source):
    def plan(self, stream: str, cursor: str | None, params: list[tuple[str, str]]) -> list[HttpRequest]:
        if stream != "teams":
            raise Err(PluginError_UnknownStream(stream))
        league = dict(params).get("league", "")
        if not (league.isascii() and league.isdigit()):
            raise Err(PluginError_InvalidParams(f"parameter `league` must be a league number, not {league!r}"))
        # The host adds the base URL, the secret, rate limiting and retries.
        return [HttpRequest(path=f"/v1/leagues/{league}/teams", query=[])]

    def normalize(self, stream: str, params: list[tuple[str, str]], request: HttpRequest, response: HttpResponse) -> Batch:
        if stream != "teams":
            raise Err(PluginError_UnknownStream(stream))
        try:
            body = json.loads(response.body)
        except ValueError as err:  # also bad UTF-8
            raise Err(PluginError_MalformedResponse(f"body is not JSON ({err}); it starts with {snippet(response.body)!r}"))
        teams = body.get("teams") if isinstance(body, dict) else None
        if not isinstance(teams, list):
            raise Err(PluginError_MalformedResponse(f"body has no `teams` list; it starts with {snippet(response.body)!r}"))

        records, rejects = [], []
        for item in teams:
            # One bad item is rejected with its raw JSON; the rest still load.
            try:
                records.append(Record_Team(team(item)))
            except ValueError as err:
                rejects.append(Reject(
                    provider_id=team_id(item),
                    reason=str(err),
                    raw=json.dumps(item, ensure_ascii=False, separators=(",", ":")),
                ))
        return Batch(records=records, rejects=rejects, cursor=None, follow_ups=[])


def team(item) -> Team:
    """One provider team as a canonical `team`; ValueError says why not."""
    if not isinstance(item, dict):
        raise ValueError("team is not a JSON object")
    pid = team_id(item)
    if pid is None:
        raise ValueError("team has no `id`")
    name = text(item, "name")
    if not name:
        raise ValueError("team has no `name`")
    founded = item.get("founded")
    if founded is not None and (isinstance(founded, bool) or not isinstance(founded, int) or founded not in S32):
        raise ValueError(f"`founded` is {json.dumps(founded)}, not a year")
    return Team(
        provider_id=pid,
        name=name,
        short_name=text(item, "short_name"),
        code=None,
        country=text(item, "country"),
        founded=founded,
        venue=None,
        crest_url=None,
    )


def team_id(item) -> str | None:
    """The item's id as text; None when it has no usable one."""
    pid = item.get("id") if isinstance(item, dict) else None
    if isinstance(pid, bool) or not isinstance(pid, (int, str)) or pid == "":
        return None
    return str(pid)


def text(item: dict, key: str) -> str | None:
    """An optional string field: None when absent or null."""
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"`{key}` is {json.dumps(value)}, not a string")
    return value


def snippet(body: bytes) -> str:
    start = body.decode("utf-8", errors="replace")
    return start if len(start) <= 80 else start[:80] + "…"
