// The CLI and the server see the store's value types and the shipped schema through CatalogCore.
@_exported import CatalogSchema
@_exported import CatalogStore
@_exported import PostgresClient
