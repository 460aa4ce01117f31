//! Queries behind the GraphQL API: batched loads by key, filtered keyset pages, and the writes of mutations.
