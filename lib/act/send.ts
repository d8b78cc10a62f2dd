import { type Backoff, withBackoff } from '../retry.js';
import { type CallContext, translateEc2Error } from './ec2-errors.js';

/**
 * Sends one mutating EC2 call, turning SDK errors into named ones where they happen, and
 * retrying with backoff only the named errors the caller says a short wait can cure.
 */
export async function callEc2(call: () => Promise<unknown>, context: CallContext, retry?: { when: (error: unknown) => boolean; backoff: Backoff }): Promise<void> {
  const once = async () => {
    try {
      await call();
    } catch (error) {
      throw translateEc2Error(error, context);
    }
  };
  await (retry ? withBackoff(once, retry.when, retry.backoff) : once());
}
