// compose.mjs composes credithub with a second, small subgraph that extends
// MarketEntity, through Apollo Gateway (a real federation gateway), and runs
// queries across both. The Go test in ../federation_test.go starts the hub
// and runs this; by hand:
//
//   cd federation/test && npm ci
//   HUB_URL=http://127.0.0.1:8080/graphql HUB_TOKEN=$(go run ../../cmd/credithub token --kind department --org market --scopes "entity:read record:read") \
//     USCC=<a code> node compose.mjs
//
// It prints one JSON line per query and exits non-zero on any error.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import gql from 'graphql-tag';

const hubURL = process.env.HUB_URL;
const token = process.env.HUB_TOKEN;
const uscc = process.env.USCC;
const visited = (process.env.USCCS || '').split(',').filter(Boolean);
if (!hubURL || !token || !uscc) {
  console.error('HUB_URL, HUB_TOKEN and USCC (and USCCS, comma-separated) are required');
  process.exit(2);
}

// The second subgraph: the city's inspection office adds on-site visits to
// every market entity, keyed by its unified social credit code.
const calls = { batches: 0, references: 0 };
// Deterministic, so the Go test can check it: the digits in the code.
const visitsOf = (uscc) => ({ uscc, onSiteVisits: (uscc.match(/[0-9]/g) || []).length });
const inspections = new ApolloServer({
  schema: buildSubgraphSchema([{
    typeDefs: gql`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type MarketEntity @key(fields: "uscc") {
        uscc: ID!
        onSiteVisits: Int!
      }
      type Query {
        "Entities visited lately: references the hub resolves (its batched _entities)."
        recentVisits: [MarketEntity!]!
      }
    `,
    resolvers: {
      Query: { recentVisits: () => visited.map(visitsOf) },
      MarketEntity: {
        __resolveReference(ref) {
          calls.references++;
          return visitsOf(ref.uscc);
        },
      },
    },
  }]),
});
const { url: inspectionsURL } = await startStandaloneServer(inspections, { listen: { port: 0, host: '127.0.0.1' } });

const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({
    subgraphs: [
      { name: 'credithub', url: hubURL },
      { name: 'inspections', url: inspectionsURL },
    ],
  }),
  buildService({ name, url }) {
    return new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request }) {
        if (name === 'credithub') {
          request.http.headers.set('authorization', `Bearer ${token}`);
          calls.batches++;
        }
      },
    });
  },
});
const server = new ApolloServer({ gateway });
const { url: gatewayURL } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });

async function run(query, variables) {
  const res = await fetch(gatewayURL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) {
    console.error(JSON.stringify(body.errors));
    process.exitCode = 1;
  }
  return body;
}

// From the hub into the inspection subgraph.
const one = await run(
  `query($u: ID!) { entity(uscc: $u) { uscc name onSiteVisits records(first: 2) { edges { node { kind } } } } }`,
  { u: uscc },
);
console.log(JSON.stringify({ query: 'one', ...one }));

// A list: the gateway sends the inspection subgraph one _entities batch.
const many = await run(`{ entities(first: 5) { edges { node { uscc name onSiteVisits } } } }`);
console.log(JSON.stringify({ query: 'many', ...many }));

// From the inspection subgraph into the hub: the gateway asks the hub's
// _entities for all the references at once.
const visits = await run(`{ recentVisits { uscc name status onSiteVisits } }`);
console.log(JSON.stringify({ query: 'visits', ...visits }));

console.log(JSON.stringify({ query: 'calls', calls }));

await server.stop();
await inspections.stop();
process.exit(process.exitCode || 0);
