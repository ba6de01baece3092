// Runs graphql-http's GraphQL-over-HTTP audit (serverAudit) against the
// hub at HUB_URL and prints one JSON line per audit: its id, name, status
// (ok, notice, warn, error) and, when it did not pass, the reason and the
// response the hub gave. audit_test.go starts the hub and reads the lines.
import { serverAudits } from 'graphql-http';

const url = process.env.HUB_URL;
if (!url) {
  console.error('HUB_URL is not set');
  process.exit(2);
}
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    if (result.response) {
      line.responseStatus = result.response.status;
      line.responseType = result.response.headers.get('content-type');
      try {
        line.responseBody = await result.response.clone().text();
      } catch {
        line.responseBody = '(the audit read the body already)';
      }
    }
  }
  console.log(JSON.stringify(line));
}
