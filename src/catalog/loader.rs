//! Loading example catalogs (see examples/catalogs/) through the public API.
