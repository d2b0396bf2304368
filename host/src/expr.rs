//! The expression language of row transforms: Rhai, compiled in expression
//! mode (no statements, loops or assignments) by a sandboxed engine that
//! has no module loading, no I/O, no clock, and a cap on the operations,
//! nesting, string, array and map sizes of every evaluation.
//!
//! Numbers are integers (`i64`) and exact decimals (`rust_decimal`): a
//! literal such as `2.5` is a decimal, never a float.

use rhai::{AST, Dynamic, Engine, EvalAltResult, ParseErrorType, Position, Scope};

/// Operations one evaluation may take: enough for any row expression,
/// far too few for a runaway one.
const MAX_OPERATIONS: u64 = 100_000;
/// Nesting depth of an expression, and within a function.
const MAX_DEPTHS: (usize, usize) = (64, 32);
/// Bytes of a string an expression builds.
const MAX_STRING_SIZE: usize = 1 << 20;
/// Elements of an array or a map an expression builds.
const MAX_COLLECTION_SIZE: usize = 10_000;
/// Nested function calls.
const MAX_CALL_LEVELS: usize = 16;

/// Why an expression does not compile, with its place in the expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", place(*.line, *.column))]
pub struct CompileError {
    /// What is wrong.
    pub message: String,
    /// The line within the expression, from 1 (0 when unknown).
    pub line: usize,
    /// The column within that line, from 1 (0 when unknown).
    pub column: usize,
}

fn place(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" (line {line}, column {column})")
    }
}

/// Why an evaluation failed: a type error, a division by zero, a limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EvalError(pub String);

/// A compiled expression and the text it was compiled from.
#[derive(Debug, Clone)]
pub struct Expression {
    /// The text, as written in the config.
    pub text: String,
    ast: AST,
}

/// The sandboxed engine every expression compiles and runs in.
pub struct Language {
    engine: Engine,
}

impl std::fmt::Debug for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Language")
    }
}

impl Default for Language {
    fn default() -> Self {
        Language::new()
    }
}

impl Language {
    /// The engine with its limits set and `eval` and printing taken away.
    pub fn new() -> Self {
        Language {
            engine: sandboxed(false),
        }
    }

    /// Compiles `text` as one expression.
    pub fn compile(&self, text: &str) -> Result<Expression, CompileError> {
        let ast = self
            .engine
            .compile_expression(text)
            .map_err(|e| compile_error(e.err_type().to_string(), e.position()))?;
        Ok(Expression {
            text: text.to_string(),
            ast,
        })
    }

    /// Evaluates `expression` with the row's values in `scope`.
    pub fn eval(
        &self,
        scope: &mut Scope<'_>,
        expression: &Expression,
    ) -> Result<Dynamic, EvalError> {
        self.engine
            .eval_ast_with_scope::<Dynamic>(scope, &expression.ast)
            .map_err(|e| EvalError(eval_message(&e)))
    }
}

/// The first name `text` reads that is neither one of `known` nor bound
/// within the expression itself, if any: a column the row does not have.
pub fn unknown_variable(text: &str, known: &[String]) -> Option<String> {
    let mut engine = sandboxed(true);
    engine.set_strict_variables(true);
    let mut scope = Scope::new();
    for name in known {
        scope.push_dynamic(name.as_str(), Dynamic::UNIT);
    }
    match engine.compile_expression_with_scope(&scope, text) {
        Err(e) => match e.err_type() {
            ParseErrorType::VariableUndefined(name) => Some(name.clone()),
            _ => None,
        },
        Ok(_) => None,
    }
}

fn sandboxed(quiet: bool) -> Engine {
    let mut engine = Engine::new();
    engine.set_max_operations(MAX_OPERATIONS);
    engine.set_max_expr_depths(MAX_DEPTHS.0, MAX_DEPTHS.1);
    engine.set_max_string_size(MAX_STRING_SIZE);
    engine.set_max_array_size(MAX_COLLECTION_SIZE);
    engine.set_max_map_size(MAX_COLLECTION_SIZE);
    engine.set_max_call_levels(MAX_CALL_LEVELS);
    engine.disable_symbol("eval");
    if quiet {
        engine.on_print(|_| {});
        engine.on_debug(|_, _, _| {});
    } else {
        engine.on_print(|text| tracing::debug!(text, "transform expression printed"));
        engine.on_debug(|text, _, _| tracing::debug!(text, "transform expression printed"));
    }
    engine
}

fn compile_error(message: String, position: Position) -> CompileError {
    CompileError {
        message,
        line: position.line().unwrap_or(0),
        column: position.position().unwrap_or(0),
    }
}

/// The evaluation error as one line, its position within the expression
/// left out (the rows' expressions are one line).
fn eval_message(error: &EvalAltResult) -> String {
    let mut text = error.to_string();
    if let Some(at) = text.rfind(" (line ") {
        text.truncate(at);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str, vars: &[(&str, Dynamic)]) -> Result<Dynamic, EvalError> {
        let language = Language::new();
        let expression = language.compile(text).expect("compiles");
        let mut scope = Scope::new();
        for (name, value) in vars {
            scope.push_dynamic(*name, value.clone());
        }
        language.eval(&mut scope, &expression)
    }

    #[test]
    fn if_expressions_and_decimals_are_exact() {
        let amount = Dynamic::from_decimal("0.1".parse().expect("decimal"));
        let sum = eval("amount + 0.2", &[("amount", amount.clone())]).expect("evaluates");
        assert_eq!(sum.to_string(), "0.3");
        let band = eval(
            "if amount >= 100 { \"high\" } else { \"low\" }",
            &[("amount", amount)],
        )
        .expect("evaluates");
        assert_eq!(band.into_string().expect("text"), "low");
    }

    #[test]
    fn statements_loops_and_eval_do_not_compile() {
        let language = Language::new();
        for text in [
            "x = 1",
            "let x = 1",
            "while true {}",
            "eval(\"1\")",
            "import \"a\" as a",
        ] {
            assert!(language.compile(text).is_err(), "{text} compiled");
        }
        let error = language.compile("amount >").expect_err("incomplete");
        assert_eq!(error.line, 1);
        assert!(error.column > 0, "{error:?}");
    }

    #[test]
    fn runtime_errors_and_limits_are_errors() {
        assert!(eval("1 / x", &[("x", Dynamic::from_int(0))]).is_err());
        assert!(eval("\"a\" - 1", &[]).is_err());
        let bomb = "\"x\".pad(10000000, \"y\")";
        assert!(eval(bomb, &[]).is_err());
    }

    #[test]
    fn unknown_variables_are_named() {
        let known = vec!["amount".to_string()];
        assert_eq!(unknown_variable("amount > 0", &known), None);
        assert_eq!(
            unknown_variable("amount > limit", &known),
            Some("limit".to_string())
        );
    }
}
