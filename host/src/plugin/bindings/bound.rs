//! A normalizer called through the bindings of the contract version it was
//! built for, answering in the newest version's terms, so that the rest of
//! the host knows one contract only.

use wasmtime::component::InstancePre;

use super::newest::wit;
use crate::model::{HttpResponse, PlannedRequest};
use crate::plugin::PluginError;
use crate::plugin::runner::Runner;
use crate::plugin::sandbox::SandboxState;

/// What a call returned: the plugin's answer (or the error it returned), or
/// the sandbox's error when the call itself failed.
pub type Answer<T> = Result<Result<T, wit::PluginError>, PluginError>;

/// A compiled normalizer bound through the bindings of its contract version.
pub trait BoundNormalizer: Send + Sync {
    /// The contract version the component was built against.
    fn version(&self) -> &'static str;

    /// `plan` in a fresh instance, its requests as the newest version
    /// states them.
    fn plan(
        &self,
        runner: &Runner,
        stream: &str,
        cursor: Option<&str>,
        params: &[(String, String)],
    ) -> Answer<Vec<wit::HttpRequest>>;

    /// `normalize` in a fresh instance, its batch as the newest version
    /// states it; the response is moved into the call, not copied, and
    /// handed back for the caller to archive.
    fn normalize(
        &self,
        runner: &Runner,
        stream: &str,
        params: &[(String, String)],
        request: &PlannedRequest,
        response: HttpResponse,
    ) -> (Answer<wit::Batch>, HttpResponse);
}

/// Binds a component built for one contract version.
pub type Binder = fn(InstancePre<SandboxState>) -> wasmtime::Result<Box<dyn BoundNormalizer>>;

/// Implements [`BoundNormalizer`] for the bindings of `$module`, the
/// module of contract `$version`.
macro_rules! bound_normalizer {
    ($version:literal, $module:ident) => {
        $crate::instantiate_via!($module::NormalizerPre<SandboxState> => $module::Normalizer);

        impl BoundNormalizer for $module::NormalizerPre<SandboxState> {
            fn version(&self) -> &'static str {
                $version
            }

            fn plan(
                &self,
                runner: &Runner,
                stream: &str,
                cursor: Option<&str>,
                params: &[(String, String)],
            ) -> Answer<Vec<wit::HttpRequest>> {
                let params = params.to_vec();
                let answer = runner.call(self, "plan", |store, plugin| {
                    plugin
                        .sluice_plugin_source()
                        .call_plan(store, stream, cursor, &params)
                })?;
                Ok(answer
                    .map(|requests| requests.into_iter().map(wit::HttpRequest::from).collect())
                    .map_err(wit::PluginError::from))
            }

            fn normalize(
                &self,
                runner: &Runner,
                stream: &str,
                params: &[(String, String)],
                request: &PlannedRequest,
                response: HttpResponse,
            ) -> (Answer<wit::Batch>, HttpResponse) {
                use $module::wit as contract;
                let params = params.to_vec();
                let request = contract::HttpRequest {
                    path: request.path.clone(),
                    query: request.query.clone(),
                };
                let response = contract::HttpResponse {
                    status: response.status,
                    headers: response.headers,
                    body: response.body,
                };
                let answer = runner.call(self, "normalize", |store, plugin| {
                    plugin
                        .sluice_plugin_source()
                        .call_normalize(store, stream, &params, &request, &response)
                });
                let answer = answer.map(|a| a.map(wit::Batch::from).map_err(wit::PluginError::from));
                let response = HttpResponse {
                    status: response.status,
                    headers: response.headers,
                    body: response.body,
                };
                (answer, response)
            }
        }
    };
}

pub(super) use bound_normalizer;
