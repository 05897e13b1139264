// Reads [{jwk, alg, kid, payload, headers}] as JSON on stdin and prints the compact JWTs that npm jose
// signs for them, as a JSON array (tests/integration/harness/tokens.py: tokens from another library).
import { importJWK, SignJWT } from "jose";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const jobs = JSON.parse(input);
const tokens = [];
for (const job of jobs) {
  const key = await importJWK(job.jwk, job.alg);
  const header = { alg: job.alg, kid: job.kid, ...job.headers };
  tokens.push(await new SignJWT(job.payload).setProtectedHeader(header).sign(key));
}
process.stdout.write(JSON.stringify(tokens));
