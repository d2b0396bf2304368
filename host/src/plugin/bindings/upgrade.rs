//! How a contract version's module takes in the version before it: the
//! request, the error and the batch of the previous version become its
//! own, and from there the newest's. The module writes only `record`, which
//! is where versions differ.

/// Converts the `$previous` version's request, error and batch into this
/// module's version (`wit`), and on into the newest's, through `record`
/// (`fn record($previous::Record) -> wit::Record`), which the module writes.
macro_rules! upgrades_from {
    ($previous:ident) => {
        // In the newest module `Self::from` below is the identity; in an
        // older one, the next module's conversion takes it on from there.
        impl From<$previous::Batch> for super::newest::wit::Batch {
            fn from(b: $previous::Batch) -> Self {
                Self::from(wit::Batch {
                    records: b.records.into_iter().map(record).collect(),
                    rejects: b
                        .rejects
                        .into_iter()
                        .map(|r| wit::Reject {
                            provider_id: r.provider_id,
                            reason: r.reason,
                            raw: r.raw,
                        })
                        .collect(),
                    cursor: b.cursor,
                    follow_ups: b.follow_ups.into_iter().map(request).collect(),
                })
            }
        }

        impl From<$previous::HttpRequest> for super::newest::wit::HttpRequest {
            fn from(r: $previous::HttpRequest) -> Self {
                Self::from(request(r))
            }
        }

        impl From<$previous::PluginError> for super::newest::wit::PluginError {
            fn from(err: $previous::PluginError) -> Self {
                Self::from(match err {
                    $previous::PluginError::UnknownStream(m) => wit::PluginError::UnknownStream(m),
                    $previous::PluginError::InvalidParams(m) => wit::PluginError::InvalidParams(m),
                    $previous::PluginError::ProviderError(m) => wit::PluginError::ProviderError(m),
                    $previous::PluginError::MalformedResponse(m) => {
                        wit::PluginError::MalformedResponse(m)
                    }
                })
            }
        }

        fn request(r: $previous::HttpRequest) -> wit::HttpRequest {
            wit::HttpRequest {
                path: r.path,
                query: r.query,
            }
        }
    };
}

pub(super) use upgrades_from;
