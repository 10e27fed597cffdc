// The SDK's errors: one class per thing a service must handle differently.

export class ServiceSdkError extends Error {
  override name = 'ServiceSdkError';
}

/** The authorization came back with an error instead of a code: access_denied when the person said no. */
export class AuthorizationRefused extends ServiceSdkError {
  override name = 'AuthorizationRefused';
  constructor(
    readonly error: string,
    readonly description: string | undefined,
  ) {
    super(`the authorization was refused: ${error}${description ? ` (${description})` : ''}`);
  }
}

/**
 * The data call was refused: an OAuth error (invalid_token once the delivery was taken or the person
 * revoked it, invalid_dpop_proof) or a problem (the hub made no delivery: service_keys_unavailable,
 * service_delivery_failed, with each data set's outcome in problem.datasets).
 */
export class DataCallError extends ServiceSdkError {
  override name = 'DataCallError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string | undefined,
    readonly problem?: Record<string, unknown>,
  ) {
    super(`the data call failed (${status} ${error})${description ? `: ${description}` : ''}`);
  }
}

/** A delivery that cannot be opened at all: not for this service's key, or its manifest is not one. */
export class DeliveryError extends ServiceSdkError {
  override name = 'DeliveryError';
}
