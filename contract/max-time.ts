/**
 * The latest time any key, record or query may carry: 9999-12-31T23:59:59.999Z in UTC
 * milliseconds. Keeps a start time at 13 digits or fewer (object keys sort as text) and
 * every date inside ISO 8601's four-digit years. One value for the contract's keys and
 * records, the API's time parameters and the tests' generators.
 */
export const MAX_TIME_MS = 253_402_300_799_999;
