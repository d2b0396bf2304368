//! The plugin author's kit: `sluice plugin new | build | test | check`.
//!
//! A plugin project is a folder holding `manifest.toml`, `fixtures/` and
//! the source of one language: `Cargo.toml` (Rust), `app.py` (Python, built
//! with componentize-py) or `app.js` (JavaScript, built with
//! componentize-js). `build` writes `target/plugin/NAME.wasm` with
//! `NAME.toml` beside it, which is what a host's `plugin_dir` holds.

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::plugin::{
    NEWEST_WIT_VERSION, NormalizerPlugin, PluginEngine, SandboxLimits, Scorer, Transformer,
    fixtures, table_fixtures,
};

/// The repository the host was built from: its SDK templates and the WIT
/// folders. `SLUICE_SDK_DIR` points elsewhere (the folder holding `wit/`
/// and `sdk/`).
fn sdk_root() -> PathBuf {
    std::env::var_os("SLUICE_SDK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

/// A plugin's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// Rust, with the `sluice-plugin-sdk` crate.
    Rust,
    /// Python, built with componentize-py.
    Python,
    /// JavaScript, built with componentize-js.
    Js,
}

impl Lang {
    fn folder(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::Js => "js",
        }
    }

    /// The language of the plugin project in `dir`.
    fn of(dir: &Path) -> anyhow::Result<Self> {
        if dir.join("Cargo.toml").is_file() {
            Ok(Lang::Rust)
        } else if dir.join("app.py").is_file() {
            Ok(Lang::Python)
        } else if dir.join("app.js").is_file() {
            Ok(Lang::Js)
        } else {
            bail!(
                "{} is not a plugin project: it has no Cargo.toml, app.py or app.js",
                dir.display()
            )
        }
    }
}

/// What a new plugin project is: the world it implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// A provider's normalizer (world `normalizer`).
    Normalizer,
    /// A custom transform of generic rows (world `transformer`, 0.5.0).
    Transformer,
    /// Per-user scoring formulas (world `scorer`, 0.5.0).
    Scorer,
}

impl Kind {
    /// The template folder's name in `sdk/LANG/`.
    fn template(self) -> &'static str {
        match self {
            Kind::Normalizer => "template",
            Kind::Transformer => "template-transformer",
            Kind::Scorer => "template-scorer",
        }
    }

    /// The kind a project's manifest declares (`kind`, a normalizer when
    /// absent).
    fn of(manifest: &str) -> anyhow::Result<Self> {
        match manifest_key(manifest, "kind").as_deref() {
            None => Ok(Kind::Normalizer),
            Some("transformer") => Ok(Kind::Transformer),
            Some("scorer") => Ok(Kind::Scorer),
            Some(other) => bail!(
                "kind = \"{other}\": the kit builds and tests normalizers, transformers and scorers"
            ),
        }
    }
}

/// `sluice plugin new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The plugin's name: lower-case letters, digits and `-`.
    name: String,
    /// Its language.
    #[arg(long, value_enum, default_value = "rust")]
    lang: Lang,
    /// What it is: a normalizer, a transformer, or (Rust only) a scorer.
    #[arg(long, value_enum, default_value = "normalizer")]
    kind: Kind,
    /// Where to create the project folder `NAME`.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
}

/// `sluice plugin build` and `sluice plugin test`.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// The plugin project folder.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Rewrite the fixtures' expected output from what the plugin returns
    /// (`test` only), for review in the diff.
    #[arg(long)]
    update: bool,
}

/// `sluice plugin check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The component (`NAME.wasm`, with `NAME.toml` beside it).
    wasm: PathBuf,
}

/// Scaffolds a working plugin project from the language's template.
pub fn new(args: NewArgs) -> anyhow::Result<()> {
    let valid = !args.name.is_empty()
        && args.name.starts_with(|c: char| c.is_ascii_lowercase())
        && args
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        bail!(
            "`{}` is not a plugin name: use lower-case letters, digits and `-`, starting with a letter",
            args.name
        );
    }
    if args.kind == Kind::Scorer && args.lang != Lang::Rust {
        bail!("--kind scorer: the kit has a scorer template for Rust only (--lang rust)");
    }
    let template = sdk_root()
        .join("sdk")
        .join(args.lang.folder())
        .join(args.kind.template());
    if !template.is_dir() {
        bail!(
            "the {} template is not at {} (set SLUICE_SDK_DIR to the sluice source folder)",
            args.lang.folder(),
            template.display()
        );
    }
    let target = args.dir.join(&args.name);
    if target.exists() {
        bail!("{} already exists", target.display());
    }
    let sdk =
        std::fs::canonicalize(sdk_root().join("sdk/rust")).context("locating the Rust SDK")?;
    let substitute = |text: &str| {
        text.replace("my-provider", &args.name)
            .replace("my_provider", &args.name.replace('-', "_"))
            .replace("MyProvider", &camel(&args.name))
            .replace("{{SDK_PATH}}", &sdk.display().to_string())
    };
    copy_template(&template, &target, &substitute)?;
    println!(
        "created {} ({}): build it with `sluice plugin build {0}`, test it with `sluice plugin test {0}`",
        target.display(),
        args.lang.folder()
    );
    Ok(())
}

/// Builds the project into `target/plugin/NAME.wasm` + `NAME.toml`.
pub fn build(args: &ProjectArgs) -> anyhow::Result<PathBuf> {
    let dir = std::fs::canonicalize(&args.dir)
        .with_context(|| format!("no plugin project at {}", args.dir.display()))?;
    let lang = Lang::of(&dir)?;
    let manifest = std::fs::read_to_string(dir.join("manifest.toml"))
        .with_context(|| format!("{} has no manifest.toml", dir.display()))?;
    let name = manifest_key(&manifest, "name")
        .with_context(|| format!("{}/manifest.toml has no `name`", dir.display()))?;
    let out_dir = dir.join("target/plugin");
    std::fs::create_dir_all(&out_dir)?;
    let wasm = out_dir.join(format!("{name}.wasm"));
    // The contract the manifest says the plugin is built for.
    let version = manifest_key(&manifest, "wit").unwrap_or_else(|| NEWEST_WIT_VERSION.to_string());
    let wit = sdk_root().join(format!("wit/since_v{version}"));
    let wit = std::fs::canonicalize(&wit)
        .with_context(|| format!("locating the WIT contract {}", wit.display()))?;
    let status = match lang {
        Lang::Rust => {
            let status = Command::new("cargo")
                .args(["build", "--release", "--target", "wasm32-wasip2"])
                .current_dir(&dir)
                .status()
                .context("running cargo")?;
            if status.success() {
                let target_dir = std::env::var_os("CARGO_TARGET_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| dir.join("target"));
                let built = target_dir
                    .join("wasm32-wasip2/release")
                    .join(format!("{}.wasm", name.replace('-', "_")));
                std::fs::copy(&built, &wasm)
                    .with_context(|| format!("copying {}", built.display()))?;
            }
            status
        }
        Lang::Python | Lang::Js => {
            let script = sdk_root().join("sdk").join(lang.folder()).join("build.sh");
            Command::new("bash")
                .arg(&script)
                .arg(&dir)
                .arg(&wit)
                .arg(&wasm)
                .arg(kind_name(Kind::of(&manifest)?))
                .status()
                .with_context(|| format!("running {}", script.display()))?
        }
    };
    if !status.success() {
        bail!("building {} failed ({status})", dir.display());
    }
    std::fs::copy(
        dir.join("manifest.toml"),
        out_dir.join(format!("{name}.toml")),
    )?;
    Ok(wasm)
}

/// Builds, then runs every fixture through the component in the sandbox.
/// A transformer or a scorer is loaded as a host would (its contract
/// checked); a transformer's fixtures are typed tables in and out
/// (`plugin::table_fixtures`); a Rust project's own tests then run
/// (`cargo test`).
pub fn test(args: &ProjectArgs) -> anyhow::Result<()> {
    let wasm = build(args)?;
    let engine =
        PluginEngine::new(SandboxLimits::default()).context("cannot start the plugin runtime")?;
    let manifest = std::fs::read_to_string(wasm.with_extension("toml"))?;
    let kind = Kind::of(&manifest)?;
    let rust = Lang::of(&args.dir)? == Lang::Rust;
    let fixture_dir = args.dir.join("fixtures");
    let report = match kind {
        Kind::Normalizer => {
            let plugin = NormalizerPlugin::load(&engine, &wasm)?;
            Some(fixtures::run_all(&plugin, &fixture_dir, args.update))
        }
        Kind::Transformer if !rust || fixture_dir.is_dir() => {
            let plugin = Transformer::load(&engine, &wasm)?;
            Some(table_fixtures::run_all(&plugin, &fixture_dir, args.update))
        }
        Kind::Transformer | Kind::Scorer => {
            load_world(&engine, &wasm, kind)?;
            None
        }
    };
    if let Some(report) = report {
        fixture_verdict(args, kind, &report)?;
    }
    if rust && kind != Kind::Normalizer {
        let status = Command::new("cargo")
            .args(["test", "--quiet"])
            .current_dir(&args.dir)
            .status()
            .context("running cargo test")?;
        if !status.success() {
            bail!("the tests of {} failed ({status})", args.dir.display());
        }
        println!(
            "the component loads as a {}; its tests passed",
            kind_name(kind)
        );
    }
    Ok(())
}

/// Prints what the fixture cases came to; an error when one differs (or
/// there is none), unless they were being rewritten.
fn fixture_verdict(
    args: &ProjectArgs,
    kind: Kind,
    report: &fixtures::FixtureReport,
) -> anyhow::Result<()> {
    if report.cases == 0 {
        let case = match kind {
            Kind::Normalizer => "case.toml and response.json",
            _ => "case.toml and input.ndjson",
        };
        bail!(
            "{} holds no fixture cases (fixtures/CASE/ with {case})",
            args.dir.display()
        );
    }
    for (case, diff) in &report.failures {
        println!("FAILED {}\n{diff}", case.display());
    }
    if args.update {
        println!(
            "{} cases run, {} expected files rewritten: review them in the diff",
            report.cases, report.updated
        );
        return Ok(());
    }
    if !report.passed() {
        bail!(
            "{} of {} fixture cases differ (`--update` rewrites them)",
            report.failures.len(),
            report.cases
        );
    }
    println!("{} fixture cases passed", report.cases);
    Ok(())
}

/// A transformer or scorer loaded as a host would; its name, version,
/// contract and hash.
fn load_world(
    engine: &PluginEngine,
    wasm: &Path,
    kind: Kind,
) -> anyhow::Result<(crate::plugin::WorldManifest, String)> {
    Ok(match kind {
        Kind::Transformer => {
            let p = Transformer::load(engine, wasm)?;
            (p.manifest().clone(), p.sha256().to_string())
        }
        Kind::Scorer => {
            let p = Scorer::load(engine, wasm)?;
            (p.manifest().clone(), p.sha256().to_string())
        }
        Kind::Normalizer => bail!("{} is a normalizer", wasm.display()),
    })
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Normalizer => "normalizer",
        Kind::Transformer => "transformer",
        Kind::Scorer => "scorer",
    }
}

/// Loads a component as a host would, and says what it is.
pub fn check(args: &CheckArgs) -> anyhow::Result<()> {
    let engine =
        PluginEngine::new(SandboxLimits::default()).context("cannot start the plugin runtime")?;
    let manifest = std::fs::read_to_string(args.wasm.with_extension("toml")).unwrap_or_default();
    let kind = Kind::of(&manifest).unwrap_or(Kind::Normalizer);
    if kind != Kind::Normalizer {
        let (m, sha256) = load_world(&engine, &args.wasm, kind)?;
        println!("{} {} ({})", m.name, m.version, kind_name(kind));
        println!("  contract: sluice:plugin@{}", m.wit);
        println!("  sha256:   {sha256}");
        println!("ok: the component and its manifest are valid");
        return Ok(());
    }
    let plugin = NormalizerPlugin::load(&engine, &args.wasm)?;
    let m = plugin.manifest();
    println!("{} {} (provider {})", m.name, m.version, m.provider);
    println!("  contract: sluice:plugin@{}", plugin.wit_version());
    println!("  sha256:   {}", plugin.sha256());
    for (stream, spec) in &m.streams {
        println!(
            "  stream {stream}: required [{}], optional [{}]",
            spec.required.join(", "),
            spec.optional.join(", ")
        );
    }
    println!("ok: the component and its manifest are valid");
    Ok(())
}

fn manifest_key(manifest: &str, key: &str) -> Option<String> {
    let value: toml::Value = toml::from_str(manifest).ok()?;
    value.get(key)?.as_str().map(str::to_string)
}

fn camel(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Copies `from` into `to`, passing text through `substitute`; a
/// `NAME.template` file lands as `NAME`. Build output is not copied.
fn copy_template(
    from: &Path,
    to: &Path,
    substitute: &dyn Fn(&str) -> String,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if matches!(name.as_str(), "target" | "node_modules" | "__pycache__") {
            continue;
        }
        let path = entry.path();
        let dest = to.join(substitute(name.strip_suffix(".template").unwrap_or(&name)));
        if path.is_dir() {
            copy_template(&path, &dest, substitute)?;
        } else {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading template {}", path.display()))?;
            std::fs::write(&dest, substitute(&text))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_type_names() {
        assert_eq!(camel("odds-feed"), "OddsFeed");
        assert_eq!(camel("x"), "X");
    }
}
