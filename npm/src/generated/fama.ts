// Generated from the Rust types in sdk-core/src/models by ts-rs.
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.

/**
 * The auth object sent in CONNECT.
 */
export type FamaAuth = {
/**
 * The access token, raw or as `Bearer <token>`; the server takes both.
 */
token: string, };

/**
 * `connected`: the server accepted the token.
 */
export type FamaConnected = {
/**
 * E.g. `Successfully connected`.
 */
message: string,
/**
 * Who the token belongs to.
 */
user: FamaUser, };

/**
 * The `user` of [`Connected`].
 */
export type FamaUser = {
/**
 * Numeric user id.
 */
user_id: number,
/**
 * Login name.
 */
username: string, };

/**
 * `error`: auth, validation or internal failure (FAMA's shape; Omni has its
 * own [`omni::Error`](super::omni::Error)).
 */
export type FamaError = {
/**
 * E.g. `Authentication failed: Token expired`.
 */
message: string, };

export interface FamaServerEvents {
  "connected": FamaConnected;
  "error": FamaError;
}

export interface FamaClientEvents {
}
