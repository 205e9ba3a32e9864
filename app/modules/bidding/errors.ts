/** A refusal the user can act on: a Chinese message, optional field errors, an HTTP status. */
export class BiddingError extends Error {
  constructor(
    message: string,
    public status = 400,
    public fieldErrors: Record<string, string[]> = {},
    public code = 'BIDDING',
  ) {
    super(message);
  }
}
