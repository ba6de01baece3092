// PostGraphile v5 over the market department's database, for the
// side-by-side with the hub (dev/bench/postgraphile/README.md).
//
// PGDATABASE_URL names the database (run.sh: pg_dept_market), PG_POOL_MAX
// sizes PostGraphile's own pool of connections, PORT its port.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import pg from "pg";

const connectionString = process.env.PGDATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/pg_dept_market";
const pool = new pg.Pool({ connectionString, max: Number(process.env.PG_POOL_MAX ?? 8) });

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  // Amber orders a connection only by indexed columns; the hub lists
  // records newest first (decision date, then id) without an index on the
  // date either, so both sort the same way.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [makePgService({ pool, schemas: ["public"] })],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PORT ?? 8121),
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};

export default preset;
