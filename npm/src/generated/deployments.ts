// Generated from the Rust types in sdk-core/src/models by ts-rs.
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.

import type { JsonValue } from "./json.js";

/**
 * The auth object sent in CONNECT.
 */
export type DeploymentsAuth = {
/**
 * JWT.
 */
token: string, };

/**
 * A user id. The seed only interpolates it into text, so both JSON numbers
 * and strings are accepted and written back as they came.
 */
export type DeploymentsUserId = number | string;

/**
 * `deployment:subscribe`: the payload is the bare deployment id string.
 */
export type DeploymentsSubscribe = string;

/**
 * `deployment:unsubscribe`: the payload is the bare deployment id string.
 */
export type DeploymentsUnsubscribe = string;

/**
 * `deployment:status`.
 */
export type DeploymentsStatus = {
/**
 * The deployment.
 */
deploymentId: string,
/**
 * New status.
 */
status: string, };

/**
 * `deployment:log`: one log chunk.
 */
export type DeploymentsLog = {
/**
 * The deployment.
 */
deploymentId: string,
/**
 * Log text.
 */
log: string, };

/**
 * `user:online`.
 */
export type DeploymentsUserOnline = {
/**
 * The user.
 */
userId: DeploymentsUserId,
/**
 * Presence, `online`.
 */
status: string, };

/**
 * `user:offline`.
 */
export type DeploymentsUserOffline = {
/**
 * The user.
 */
userId: DeploymentsUserId,
/**
 * Presence, `offline`.
 */
status: string, };

/**
 * `error`: the seed listens for it without showing a payload, so it stays a
 * JSON value.
 */
export type DeploymentsError = JsonValue;

export interface DeploymentsServerEvents {
  "deployment:status": DeploymentsStatus;
  "deployment:log": DeploymentsLog;
  "user:online": DeploymentsUserOnline;
  "user:offline": DeploymentsUserOffline;
  "error": DeploymentsError;
}

export interface DeploymentsClientEvents {
  "deployment:subscribe": DeploymentsSubscribe;
  "deployment:unsubscribe": DeploymentsUnsubscribe;
}
