//! The GraphQL schema: types, resolvers, loaders, mutations, subscriptions.
