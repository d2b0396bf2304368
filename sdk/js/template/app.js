// my-provider: a sluice normalizer written in JavaScript.
//
// componentize-js turns this ES module into a WebAssembly component exporting
// `sluice:plugin/source@0.4.0`. Binding conventions (those of jco):
//
// - The exported interface `source` is the exported object `source`; its
//   methods are the interface's functions (`%stream` arrives as `stream`).
// - Record fields are camelCase: `provider-id` is `providerId`,
//   `follow-ups` is `followUps`.
// - `option<T>` is the value or `undefined` (`null` is accepted too).
//   `list<u8>` is a Uint8Array, `tuple<a, b>` a two-element array, integers
//   are numbers.
// - A variant is `{ tag: 'case-name', val: payload }`, tags in kebab-case:
//   `{ tag: 'team', val: team }`, `{ tag: 'invalid-params', val: '...' }`.
// - `result<T, E>`: return `T` for ok; for the error, throw an object whose
//   own `payload` property is `E` (see `PluginError`). Any other exception
//   traps the component, which the host reports as a crash.

/** A `plugin-error` the host receives as the call's error. */
class PluginError extends Error {
  constructor(tag, message) {
    super(message);
    this.payload = { tag, val: message };
  }
}

const S32_MIN = -(2 ** 31);
const S32_MAX = 2 ** 31 - 1;

export const source = {
  plan(stream, cursor, params) {
    if (stream !== 'teams') throw new PluginError('unknown-stream', stream);
    const league = new Map(params).get('league') ?? '';
    if (!/^[0-9]+$/.test(league)) {
      throw new PluginError(
        'invalid-params',
        `parameter \`league\` must be a league number, not ${JSON.stringify(league)}`,
      );
    }
    // The host adds the base URL, the secret, rate limiting and retries.
    return [{ path: `/v1/leagues/${league}/teams`, query: [] }];
  },

  normalize(stream, params, request, response) {
    if (stream !== 'teams') throw new PluginError('unknown-stream', stream);
    const text = new TextDecoder().decode(response.body);
    let body;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new PluginError(
        'malformed-response',
        `body is not JSON (${err.message}); it starts with ${snippet(text)}`,
      );
    }
    const teams = body?.teams;
    if (!Array.isArray(teams)) {
      throw new PluginError('malformed-response', `body has no \`teams\` list; it starts with ${snippet(text)}`);
    }

    const records = [];
    const rejects = [];
    for (const item of teams) {
      // One bad item is rejected with its raw JSON; the rest still load.
      try {
        records.push({ tag: 'team', val: toTeam(item) });
      } catch (err) {
        if (!(err instanceof BadItem)) throw err;
        rejects.push({
          providerId: teamId(item),
          reason: err.message,
          raw: JSON.stringify(item),
        });
      }
    }
    return { records, rejects, cursor: undefined, followUps: [] };
  },
};

/** Why one item cannot become a record. */
class BadItem extends Error {}

/** One provider team as a canonical `team`; throws BadItem saying why not. */
function toTeam(item) {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new BadItem('team is not a JSON object');
  }
  const id = teamId(item);
  if (id === undefined) throw new BadItem('team has no `id`');
  const { founded } = item;
  const name = optText(item, 'name');
  if (!name) throw new BadItem('team has no `name`');
  if (founded != null && !(Number.isInteger(founded) && founded >= S32_MIN && founded <= S32_MAX)) {
    throw new BadItem(`\`founded\` is ${JSON.stringify(founded)}, not a year`);
  }
  return {
    providerId: id,
    name,
    shortName: optText(item, 'short_name'),
    code: undefined,
    country: optText(item, 'country'),
    founded: founded ?? undefined,
    venue: undefined,
    crestUrl: undefined,
  };
}

/** The item's id as text; undefined when it has no usable one. */
function teamId(item) {
  const id = item?.id;
  return Number.isInteger(id) || (typeof id === 'string' && id !== '') ? String(id) : undefined;
}

/** An optional string field: undefined when absent or null. */
function optText(item, key) {
  const value = item[key];
  if (value == null) return undefined;
  if (typeof value !== 'string') throw new BadItem(`\`${key}\` is ${JSON.stringify(value)}, not a string`);
  return value;
}

function snippet(text) {
  return JSON.stringify(text.length <= 80 ? text : `${text.slice(0, 80)}…`);
}
