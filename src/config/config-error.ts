/** A configuration the process refuses to start with; the message names the variable and why. */
export class ConfigError extends Error {}
