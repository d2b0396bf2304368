"""my-provider: a sluice transformer written in Python.

Every text cell is trimmed of surrounding spaces and, with the parameter
`required` naming a column, each row whose cell there is null or empty is
rejected with the reason. The host checks that every cell returned fits its
column's type.

componentize-py turns this module into a WebAssembly component exporting
`sluice:plugin/transform@0.5.0`. Binding conventions (generated into
`wit_world`):

- The exported interface `transform` is implemented by a class named
  `Transform` in this module, subclassing `wit_world.exports.Transform`.
  Every call runs in a fresh component instance: keep no state between
  calls. A large batch arrives in slices; answer each with the same columns.
- A cell is one of `Value_Null()`, `Value_Boolean(b)`, `Value_Integer(i)`,
  `Value_Float(f)`, `Value_Text(s)`; decimals, dates, timestamps and JSON
  are text. A column's type is `ColumnType.TEXT`, `ColumnType.INTEGER`, ...
- `result<T, E>`: return `T` for ok; for the error, raise
  `componentize_py_types.Err(E)`, such as
  `Err(PluginError_InvalidParams("..."))`. Any other exception traps the
  component, which the host reports as a crash.
"""

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports.rows import Value_Null, Value_Text
from wit_world.imports.tables import ColumnType, RejectedRow, Table, Transformed
from wit_world.imports.types import PluginError_InvalidParams


class Transform(exports.Transform):
    def transform(self, params: list[tuple[str, str]], input: Table) -> Transformed:
        names = [c.name for c in input.columns]
        required = dict(params).get("required")
        at = None
        if required is not None:
            if required not in names:
                raise Err(PluginError_InvalidParams(f"the table has no column `{required}`"))
            at = names.index(required)
        text = [c.type == ColumnType.TEXT for c in input.columns]

        rows, rejects = [], []
        for i, row in enumerate(input.rows):
            row = [
                Value_Text(cell.value.strip()) if is_text and isinstance(cell, Value_Text) else cell
                for cell, is_text in zip(row, text)
            ]
            if at is not None and empty(row[at]):
                rejects.append(RejectedRow(row=i, reason=f"`{required}` is empty"))
            else:
                rows.append(row)
        return Transformed(table=Table(columns=input.columns, rows=rows), rejects=rejects)


def empty(cell) -> bool:
    """Whether a cell is null or empty text."""
    return isinstance(cell, Value_Null) or (isinstance(cell, Value_Text) and cell.value == "")
