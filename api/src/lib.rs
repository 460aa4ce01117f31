//! The GraphQL API (async-graphql on actix-web).
