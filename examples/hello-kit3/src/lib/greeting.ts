export const GREETING = 'Hello from Slipway';
