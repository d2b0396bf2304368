// my-provider: a sluice transformer written in JavaScript.
//
// Every text cell is trimmed of surrounding spaces and, with the parameter
// `required` naming a column, each row whose cell there is null or empty is
// rejected with the reason. The host checks that every cell returned fits
// its column's type.
//
// componentize-js turns this ES module into a WebAssembly component
// exporting `sluice:plugin/transform@0.5.0`. Binding conventions (those of
// jco):
//
// - The exported interface `transform` is the exported object `transform`;
//   its method `transform(params, input)` is the call. Every call runs in a
//   fresh component instance: keep no state between calls. A large batch
//   arrives in slices; answer each with the same columns.
// - A column is `{ name, type }`, its type one of 'boolean', 'integer',
//   'float', 'text', 'decimal', 'date', 'timestamp', 'json'.
// - A cell is `{ tag: 'null' }`, `{ tag: 'boolean', val: true }`,
//   `{ tag: 'integer', val: 5n }` (a BigInt), `{ tag: 'float', val: 1.5 }`
//   or `{ tag: 'text', val: '...' }`; decimals, dates, timestamps and JSON
//   are text.
// - `params` is an array of `[name, value]` pairs.
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

export const transform = {
  transform(params, input) {
    const names = input.columns.map((c) => c.name);
    const required = new Map(params).get('required');
    let at = -1;
    if (required !== undefined) {
      at = names.indexOf(required);
      if (at < 0) throw new PluginError('invalid-params', `the table has no column \`${required}\``);
    }
    const text = input.columns.map((c) => c.type === 'text');

    const rows = [];
    const rejects = [];
    input.rows.forEach((row, i) => {
      const out = row.map((cell, c) =>
        text[c] && cell.tag === 'text' ? { tag: 'text', val: cell.val.trim() } : cell,
      );
      if (at >= 0 && empty(out[at])) {
        rejects.push({ row: i, reason: `\`${required}\` is empty` });
      } else {
        rows.push(out);
      }
    });
    return { table: { columns: input.columns, rows }, rejects };
  },
};

/** Whether a cell is null or empty text. */
function empty(cell) {
  return cell.tag === 'null' || (cell.tag === 'text' && cell.val === '');
}
