/** The AWS region of every test bed (the X-Ray emulator's, the operator's and the collectors'). */
export const E2E_REGION = 'us-east-1';
