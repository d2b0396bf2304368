// The dashboard's Live panel: the matches in play from /live/matches, kept
// current by /live/events followed from the `seq` that read returned, so no
// event is missed and none is applied twice. An event about a match the
// panel does not list makes it read /live/matches again; a goal flashes its
// row. Uses el() and badge() of dashboard.js; values go through textContent.
"use strict";

(() => {
  const KINDS = ["goal", "goal_updated", "goal_cancelled", "card", "card_updated", "card_cancelled", "status_changed"];
  const GOALS = new Set(["goal", "goal_updated", "goal_cancelled"]);
  const RECENT = 5;
  const FLASH_MS = 4000;
  const BUFFER = 1000;
  const RELOAD_MS = 30000;

  const state = {
    matches: new Map(), // match_key -> match, in the board's order
    applied: 0, // newest seq the panel reflects
    received: [], // the latest events, to apply again over an older board
    flashUntil: new Map(),
    reading: null,
    readAgain: false,
    drawQueued: false,
  };

  async function readBoard() {
    const board = await getJson("/live/matches");
    state.matches = new Map(board.matches.map((m) => [m.match_key, m]));
    state.applied = board.seq;
    // Events that arrived while the board was read, newer than it.
    for (const event of state.received) {
      if (event.seq > state.applied) apply(event, false);
    }
    draw();
    return board.seq;
  }

  /** Reads the board again; one read at a time, one more if asked meanwhile. */
  function reread() {
    if (state.reading) {
      state.readAgain = true;
      return state.reading;
    }
    state.reading = readBoard()
      .catch(showError)
      .finally(() => {
        state.reading = null;
        if (state.readAgain) {
          state.readAgain = false;
          reread();
        }
      });
    return state.reading;
  }

  /** Applies one event to its match; false when the match is not listed. */
  function apply(event, fresh) {
    if (event.seq <= state.applied) return true;
    const match = state.matches.get(event.match);
    if (!match) return false;
    state.applied = event.seq;
    if (event.status) match.status = event.status;
    match.minute = event.minute === undefined ? match.minute : event.minute;
    if (typeof event.home_score === "number") match.home_score = event.home_score;
    if (typeof event.away_score === "number") match.away_score = event.away_score;
    if (event.kind !== "status_changed") {
      const moment = event.moment || {};
      match.recent = (match.recent || []).concat([{
        seq: event.seq, kind: event.kind, subject: event.subject, detail: moment.kind || null,
        side: moment.team || null, player: moment.player || null,
        minute: moment.minute === undefined || moment.minute === null ? event.minute : moment.minute,
        extra_minute: moment.extra_minute || null,
      }]).slice(-RECENT);
    }
    if (fresh && GOALS.has(event.kind)) state.flashUntil.set(match.match_key, Date.now() + FLASH_MS);
    return true;
  }

  function received(kind, message) {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch (_) {
      return;
    }
    event.seq = Number(message.lastEventId || event.seq);
    event.kind = event.kind || kind;
    state.received.push(event);
    if (state.received.length > BUFFER) state.received.splice(0, state.received.length - BUFFER);
    if (apply(event, true)) queueDraw();
    else reread();
  }

  function queueDraw() {
    if (state.drawQueued) return;
    state.drawQueued = true;
    requestAnimationFrame(() => {
      state.drawQueued = false;
      draw();
    });
  }

  function clock(match) {
    if (match.status === "live") return match.minute === null || match.minute === undefined ? "live" : match.minute + "'";
    if (match.status === "halftime") return "HT";
    if (match.status === "finished") return "FT";
    return match.status;
  }

  function teamName(match, side) {
    if (side === "home") return match.home || "home";
    if (side === "away") return match.away || "away";
    return side || "";
  }

  function recentText(match, event) {
    const minute = event.minute === null || event.minute === undefined ? "" :
      event.minute + (event.extra_minute ? "+" + event.extra_minute : "") + "' ";
    const what = (event.detail || event.kind).replace(/_/g, " ");
    const who = [event.player, event.side ? "(" + teamName(match, event.side) + ")" : null].filter(Boolean).join(" ");
    const corrected = event.kind.endsWith("_cancelled") ? " cancelled" : event.kind.endsWith("_updated") ? " updated" : "";
    return minute + what + corrected + (who ? " " + who : "");
  }

  function competitionLabel(match) {
    const named = [match.area, match.competition_name].filter(Boolean).join(" · ");
    return named || match.competition || "Other matches";
  }

  function draw() {
    const box = $("live-matches");
    const matches = [...state.matches.values()];
    const inPlay = matches.filter((m) => m.status === "live" || m.status === "halftime").length;
    $("live-count").textContent = inPlay ? inPlay + " in play" : "";
    if (matches.length === 0) {
      box.replaceChildren(el("p", { class: "muted", "data-testid": "live-empty" }, "no match in play"));
      return;
    }
    const now = Date.now();
    const groups = new Map();
    for (const match of matches) {
      const key = match.competition || "";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(match);
    }
    const parts = [];
    let nextFlashEnd = Infinity;
    for (const [key, list] of groups) {
      parts.push(el("h3", { "data-testid": "live-competition", "data-competition": key }, competitionLabel(list[0])));
      const rows = list.map((match) => {
        const until = state.flashUntil.get(match.match_key) || 0;
        const flashing = until > now;
        if (flashing) nextFlashEnd = Math.min(nextFlashEnd, until);
        else state.flashUntil.delete(match.match_key);
        return el("tr", { class: "live-match" + (flashing ? " goal-flash" : ""), "data-testid": "live-match", "data-match": match.match_key, "data-status": match.status },
          el("td", { class: "clock", "data-testid": "live-clock" }, clock(match)),
          el("td", { class: "team home" }, match.home || match.event + " (home)"),
          el("td", { class: "score", "data-testid": "live-score" }, match.home_score + "-" + match.away_score),
          el("td", { class: "team" }, match.away || match.event + " (away)"),
          el("td", {}, match.status === "live" ? null : badge(match.status)),
          el("td", { class: "recent muted" }, (match.recent || []).slice(-3).map((e) => recentText(match, e)).join(" · ")));
      });
      parts.push(el("table", { class: "live" }, el("tbody", {}, ...rows)));
    }
    box.replaceChildren(...parts);
    if (nextFlashEnd !== Infinity) setTimeout(queueDraw, nextFlashEnd - now + 50);
  }

  function follow(after) {
    const source = new EventSource("/live/events?after=" + encodeURIComponent(after));
    for (const kind of KINDS) {
      source.addEventListener(kind, (message) => received(kind, message));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    readBoard()
      .catch((error) => {
        showError(error);
        return 0;
      })
      .then((seq) => follow(seq));
    // Finished matches leave the list once past their time.
    setInterval(reread, RELOAD_MS);
  });
})();
