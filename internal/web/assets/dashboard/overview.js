// The city overview for the credit office (T20, T24, T25, T26): figure
// tiles and six charts, all from one request (Query.cityStats). Each chart
// is drawn from the rows it shows, and those rows export as CSV.
import { gql, GraphQLError } from './api.js';
import { h, table, errorBox, pct, label, csvText, download } from './ui.js';

export const OVERVIEW_QUERY = `query Overview {
  cityStats {
    from to complete missingSources { code name }
    records { month department { code name } kind count }
    listedNow { listType domain division { code name } entities }
    disclosure { department { code name } decisions publishedOnTime publishedLate overdue pending }
    dishonestShare { division { code name } entities dishonest share }
    grades { month division { code name } grade count }
    checks { month department { code name } checks measuresApplied measuresNotApplied }
    openWarnings { open }
    objections { overdueNow dueSoon }
    repairs { overdueNow dueSoon }
  }
}`;

const charts = [
  { id: 'chart-records', title: '各部门每月信用记录' },
  { id: 'chart-grades', title: '各地区信用等级分布（最新）' },
  { id: 'chart-listings', title: '名单在列主体（按名单类型）' },
  { id: 'chart-disclosure', title: '各部门公示及时性（7个工作日）' },
  { id: 'chart-checks', title: '应查必查与奖惩到位（每月）' },
  { id: 'chart-dishonest', title: '各地区失信主体占比' },
];

export async function render(view) {
  const tiles = h('section', { class: 'tiles', id: 'tiles' });
  const grid = h('div', { class: 'charts' });
  const status = h('div', { id: 'overview-status' });
  for (const c of charts) {
    grid.append(
      h('section', { class: 'card chart-card' },
        h('div', { class: 'card-head' }, h('h3', {}, c.title), h('button', { type: 'button', class: 'csv', 'data-csv': c.id + '.csv', disabled: true }, '导出 CSV')),
        h('div', { class: 'chart', id: c.id })),
    );
  }
  const period = h('span', { class: 'period', id: 'overview-period' });
  view.append(h('div', { class: 'title-row' }, h('h2', { class: 'page-title' }, '城市总览'), period), status, tiles, grid);
  const instances = charts.map((c) => echarts.init(view.querySelector("#" + c.id)));
  const resize = () => instances.forEach((i) => i.resize());
  window.addEventListener('resize', resize);
  const cleanup = () => {
    window.removeEventListener('resize', resize);
    instances.forEach((i) => i.dispose());
  };

  let r;
  try {
    r = await gql(OVERVIEW_QUERY);
  } catch (err) {
    status.append(errorBox(err));
    return cleanup;
  }
  const s = r.data && r.data.cityStats;
  if (!s) {
    status.append(errorBox(new GraphQLError(r.errors)));
    return cleanup;
  }
  // The shared figures are null for a caller without entity:read (the
  // public): the page shows what it may see, and says so.
  for (const k of ['grades', 'checks', 'openWarnings', 'commitments']) s[k] = s[k] || [];
  period.textContent = `统计期间：${s.from} 至 ${s.to}`;
  if (r.errors.length) {
    const forbidden = r.errors.every((e) => e.extensions && e.extensions.code === 'FORBIDDEN');
    status.append(forbidden ? h('p', { class: 'note' }, '部分指标仅对监管部门共享，当前身份不显示。') : errorBox(new GraphQLError(r.errors)));
  }
  if (!s.complete) {
    status.append(h('div', { class: 'warn', role: 'alert' }, `以下部门未响应，其数据缺失（并非为零）：${s.missingSources.map((d) => d.name).join('、')}`));
  }
  renderTiles(tiles, s);
  const views = [recordsChart(s), gradesChart(s), listingsChart(s), disclosureChart(s), checksChart(s), dishonestChart(s)];
  views.forEach((v, i) => {
    instances[i].setOption(v.option);
    const btn = view.querySelector(`[data-csv="${charts[i].id}.csv"]`);
    btn.disabled = false;
    btn.addEventListener('click', () => download(charts[i].id + '.csv', csvText(v.columns, v.rows), 'text/csv;charset=utf-8'));
  });
  view.append(
    table({
      id: 'table-dishonest', title: '各地区失信主体占比（T24）', file: 'dishonest-share.csv',
      columns: [
        { label: '地区', value: (x) => x.division.name },
        { label: '主体数', key: 'entities', num: true },
        { label: '失信主体数', key: 'dishonest', num: true },
        { label: '占比', value: (x) => pct(x.share), num: true },
      ],
      rows: s.dishonestShare,
    }),
  );
  return cleanup;
}

const sum = (xs, f) => xs.reduce((a, x) => a + (f(x) || 0), 0);

function renderTiles(el, s) {
  const disclosed = sum(s.disclosure, (d) => d.decisions - d.pending);
  const onTime = sum(s.disclosure, (d) => d.publishedOnTime);
  const entities = sum(s.dishonestShare, (d) => d.entities);
  const tiles = [
    ['records', '期间信用记录', sum(s.records, (x) => x.count)],
    ['listed', '名单在列主体', sum(s.listedNow, (x) => x.entities)],
    ['warnings', '未处理预警', sum(s.openWarnings, (x) => x.open)],
    ['overdue', '逾期异议与修复', s.objections && s.repairs ? s.objections.overdueNow + s.repairs.overdueNow : '—'],
    ['ontime', '公示及时率', pct(disclosed ? onTime / disclosed : null)],
    ['dishonest', '全市失信主体占比', pct(entities ? sum(s.dishonestShare, (d) => d.dishonest) / entities : null)],
  ];
  el.replaceChildren(...tiles.map(([k, t, v]) => h('div', { class: 'tile', 'data-tile': k }, h('span', { class: 'tile-label' }, t), h('strong', { class: 'tile-value' }, String(v)))));
}

// short drops the city's name from a department's or division's label; the
// data keep the names the API gives.
const short = (v) => String(v).replace(/^黑河市/, '').replace(/^中国（黑龙江）自由贸易试验区/, '自贸区');

const base = {
  animation: false,
  tooltip: { trigger: 'axis' },
  legend: { type: 'scroll', top: 0, formatter: short },
  grid: { left: 48, right: 16, top: 36, bottom: 28, containLabel: true },
};

// stacked pivots rows into one series per group over the categories.
function stacked(rows, cat, group, value) {
  const cats = [...new Set(rows.map(cat))].sort();
  const groups = [...new Set(rows.map(group))].sort();
  const series = groups.map((g) => ({
    name: g, type: 'bar', stack: 'all',
    data: cats.map((c) => sum(rows.filter((r) => cat(r) === c && group(r) === g), value)),
  }));
  return { cats, series };
}

function recordsChart(s) {
  const { cats, series } = stacked(s.records, (r) => r.month, (r) => r.department.name, (r) => r.count);
  return {
    option: { ...base, xAxis: { type: 'category', data: cats }, yAxis: { type: 'value' }, series },
    columns: [{ label: '月份', key: 'month' }, { label: '部门', value: (r) => r.department.name }, { label: '类别', value: (r) => label('recordKind', r.kind) }, { label: '条数', key: 'count' }],
    rows: s.records,
  };
}

function gradesChart(s) {
  const latest = s.grades.filter((g) => g.month === null);
  const { cats, series } = stacked(latest, (g) => (g.division ? g.division.name : '未知'), (g) => g.grade, (g) => g.count);
  return {
    option: { ...base, xAxis: { type: 'category', data: cats, axisLabel: { interval: 0, formatter: short, width: 72, overflow: 'break' } }, yAxis: { type: 'value' }, series },
    columns: [{ label: '地区', value: (g) => (g.division ? g.division.name : '') }, { label: '等级', key: 'grade' }, { label: '主体数', key: 'count' }],
    rows: latest,
  };
}

function listingsChart(s) {
  const types = ['JOINT_PUNISHMENT', 'KEY_ATTENTION', 'MARKET_BAN'];
  const cats = types.map((t) => label('listType', t));
  return {
    option: {
      ...base, legend: { show: false },
      xAxis: { type: 'category', data: cats, axisLabel: { interval: 0, width: 100, overflow: 'break' } }, yAxis: { type: 'value' },
      series: [{ name: '在列主体', type: 'bar', data: types.map((t) => sum(s.listedNow.filter((x) => x.listType === t), (x) => x.entities)) }],
    },
    columns: [{ label: '名单', value: (x) => label('listType', x.listType) }, { label: '领域', key: 'domain' }, { label: '地区', value: (x) => (x.division ? x.division.name : '') }, { label: '主体数', key: 'entities' }],
    rows: s.listedNow,
  };
}

function disclosureChart(s) {
  const parts = [['publishedOnTime', '按时公示'], ['publishedLate', '逾期公示'], ['overdue', '逾期未公示'], ['pending', '待公示']];
  const rows = s.disclosure;
  const cats = [...new Set(rows.map((d) => d.department.name))].sort();
  return {
    option: {
      ...base, xAxis: { type: 'category', data: cats, axisLabel: { interval: 0, formatter: short, width: 72, overflow: 'break' } }, yAxis: { type: 'value' },
      series: parts.map(([k, n]) => ({ name: n, type: 'bar', stack: 'all', data: cats.map((c) => sum(rows.filter((d) => d.department.name === c), (d) => d[k])) })),
    },
    columns: [{ label: '部门', value: (d) => d.department.name }, { label: '应公示', key: 'decisions' }, ...parts.map(([k, n]) => ({ label: n, key: k }))],
    rows,
  };
}

function checksChart(s) {
  const parts = [['checks', '信用核查'], ['measuresApplied', '措施已落实'], ['measuresNotApplied', '措施未落实']];
  const cats = [...new Set(s.checks.map((c) => c.month))].sort();
  return {
    option: {
      ...base, xAxis: { type: 'category', data: cats }, yAxis: { type: 'value' },
      series: parts.map(([k, n]) => ({ name: n, type: k === 'checks' ? 'line' : 'bar', data: cats.map((m) => sum(s.checks.filter((c) => c.month === m), (c) => c[k])) })),
    },
    columns: [{ label: '月份', key: 'month' }, { label: '部门', value: (c) => c.department.name }, ...parts.map(([k, n]) => ({ label: n, key: k }))],
    rows: s.checks,
  };
}

function dishonestChart(s) {
  const rows = s.dishonestShare;
  return {
    option: {
      ...base, legend: { show: false },
      xAxis: { type: 'category', data: rows.map((d) => d.division.name), axisLabel: { interval: 0, rotate: 30, formatter: short } },
      yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
      series: [{ name: '失信主体占比', type: 'bar', data: rows.map((d) => (d.share === null ? 0 : Math.round(d.share * 10000) / 100)) }],
    },
    columns: [{ label: '地区', value: (d) => d.division.name }, { label: '主体数', key: 'entities' }, { label: '失信主体数', key: 'dishonest' }, { label: '占比', value: (d) => pct(d.share) }],
    rows,
  };
}
