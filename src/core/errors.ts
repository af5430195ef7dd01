/** A mistake in how netdoctor was called (an unknown id, an unreadable snapshot): the CLI says so and exits 64. */
export class UsageError extends Error {}
