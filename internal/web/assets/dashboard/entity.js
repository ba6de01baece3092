// Entity search and profile: registry facts, a timeline of records across
// departments (a department that did not answer is shown as such, never as
// clean), lists, commitments, objections and repairs, the grade, a credit
// check per scenario, and a signed credit report to download.
import { gql, must, GraphQLError, unavailableSources, refused } from './api.js';
import { h, table, errorBox, label, labels, fmt, download } from './ui.js';

const USCC = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export async function renderSearch(view, [q = '']) {
  const input = h('input', { id: 'search', type: 'search', value: q, placeholder: '输入主体名称（至少2个字）或统一社会信用代码', autocomplete: 'off' });
  const form = h('form', { class: 'search', onsubmit: (e) => { e.preventDefault(); location.hash = '#/entities/' + encodeURIComponent(input.value.trim()); } },
    input, h('button', { type: 'submit' }, '查询'));
  view.append(h('h2', { class: 'page-title' }, '主体查询'), form);
  q = q.trim();
  if (!q) return null;
  if (USCC.test(q.toUpperCase())) {
    location.hash = '#/entity/' + q.toUpperCase();
    return null;
  }
  try {
    const d = await must(`query Search($f: EntityFilter!) {
      entities(filter: $f, first: 50) { totalCount edges { node { uscc name kind status division { name } } } }
    }`, { f: { nameContains: q } });
    const rows = d.entities.edges.map((e) => e.node);
    view.append(table({
      id: 'search-results', title: `查询结果（共 ${d.entities.totalCount} 个，显示前 ${rows.length} 个）`, file: 'entities.csv',
      columns: [
        { label: '统一社会信用代码', key: 'uscc' },
        { label: '名称', key: 'name', render: (x) => h('a', { href: '#/entity/' + x.uscc }, fmt(x.name)) },
        { label: '类型', value: (x) => label('entityKind', x.kind) }, { label: '状态', value: (x) => label('entityStatus', x.status) },
        { label: '地区', value: (x) => x.division && x.division.name },
      ],
      rows,
    }));
  } catch (err) {
    view.append(errorBox(err));
  }
  return null;
}

export const PROFILE_QUERY = `query Profile($uscc: ID!) {
  entity(uscc: $uscc) {
    uscc name kind status registeredAt registeredCapital address industry legacyCode
    division { name } legalRepresentative { name }
    sources { department { code name } ok error }
    records(first: 100) {
      complete missingSources { code name }
      edges { node { id kind source { code name } decisionNo decisionDate summary publicity status severity } }
    }
    listings { id listType domain department { name } basis enteredOn state removedOn }
    commitments(first: 50) { edges { node { id item { name } department { name } state signedAt content } } }
  }
}`;

// The parts of a profile that not every caller may see go in requests of
// their own: a refused field that cannot be null would otherwise null the
// whole entity for the public or an agency.
export const WORKFLOWS_QUERY = `query ProfileWorkflows($uscc: ID!) {
  entity(uscc: $uscc) {
    objections { id state filedAt department { name } reason overdue }
    repairs { id state appliedAt department { name } overdue }
  }
}`;

export const RATING_QUERY = `query ProfileRating($uscc: ID!) {
  entity(uscc: $uscc) {
    rating { grade points complete missingSources { name } computedAt reasons { description points count } }
  }
}`;


export async function renderProfile(view, [uscc]) {
  view.append(h('p', {}, h('a', { href: '#/entities' }, '← 返回查询')));
  const [r, wf, rt] = await Promise.all([gql(PROFILE_QUERY, { uscc }), gql(WORKFLOWS_QUERY, { uscc }), gql(RATING_QUERY, { uscc })]);
  const e = r.data && r.data.entity;
  if (!e) {
    view.append(r.errors.length ? errorBox(new GraphQLError(r.errors)) : errorBox('没有找到统一社会信用代码为 ' + uscc + ' 的主体'));
    return null;
  }
  const down = unavailableSources(r.errors);
  const missing = new Map();
  for (const s of e.sources) if (!s.ok) missing.set(s.department.code, s.department.name);
  if (e.records) for (const d of e.records.missingSources) missing.set(d.code, d.name);
  for (const code of down) if (!missing.has(code)) missing.set(code, code);

  view.append(h('h2', { class: 'page-title', id: 'entity-name' }, fmt(e.name), ' ', h('small', {}, e.uscc)));
  if (missing.size) {
    view.append(h('div', { class: 'warn', role: 'alert', id: 'sources-missing' },
      `以下部门未响应，其信息暂缺，不能视为“无不良记录”：${[...missing.values()].join('、')}`));
  }
  const grid = h('div', { class: 'profile' });
  view.append(grid);
  const w = (wf.data && wf.data.entity) || {};
  const noRight = '当前身份无权查看（需要 record:read）';
  // An answer in part (a department down) is shown; only a missing one
  // says why.
  const wfEmpty = wf.data && wf.data.entity ? null : refused(wf.errors) ? noRight : new GraphQLError(wf.errors).message;
  e.rating = rt.data && rt.data.entity ? rt.data.entity.rating : null;
  const ratingError = !e.rating && rt.errors.length && !refused(rt.errors) ? new GraphQLError(rt.errors) : null;
  grid.append(facts(e), gradeCard(e, ratingError), timeline(e, missing));
  grid.append(
    table({
      id: 'profile-listings', title: '名单', file: `${uscc}-listings.csv`,
      columns: [
        { label: '名单', value: (x) => label('listType', x.listType) }, { label: '领域', key: 'domain' },
        { label: '认定部门', value: (x) => x.department.name }, { label: '认定依据', key: 'basis' },
        { label: '列入日期', key: 'enteredOn' }, { label: '状态', value: (x) => label('listState', x.state) }, { label: '移出日期', key: 'removedOn' },
      ],
      rows: e.listings || [],
    }),
    table({
      id: 'profile-commitments', title: '信用承诺', file: `${uscc}-commitments.csv`,
      columns: [
        { label: '事项', value: (x) => x.item.name }, { label: '部门', value: (x) => x.department.name },
        { label: '状态', value: (x) => label('commitmentState', x.state) }, { label: '签署时间', value: (x) => x.signedAt.slice(0, 10) }, { label: '内容', key: 'content' },
      ],
      rows: e.commitments ? e.commitments.edges.map((x) => x.node) : [],
    }),
    table({
      id: 'profile-objections', title: '异议', file: `${uscc}-objections.csv`,
      columns: [
        { label: '异议', key: 'id' }, { label: '状态', value: (x) => label('objectionState', x.state) }, { label: '部门', value: (x) => x.department.name },
        { label: '提交时间', value: (x) => x.filedAt.slice(0, 10) }, { label: '逾期', value: (x) => (x.overdue ? '是' : '否') }, { label: '理由', key: 'reason' },
      ],
      rows: w.objections || [], empty: wfEmpty,
    }),
    table({
      id: 'profile-repairs', title: '信用修复', file: `${uscc}-repairs.csv`,
      columns: [
        { label: '修复申请', key: 'id' }, { label: '状态', value: (x) => label('repairState', x.state) }, { label: '部门', value: (x) => x.department.name },
        { label: '申请时间', value: (x) => x.appliedAt.slice(0, 10) }, { label: '逾期', value: (x) => (x.overdue ? '是' : '否') },
      ],
      rows: w.repairs || [], empty: wfEmpty,
    }),
    checkCard(uscc),
    reportCard(uscc),
  );
  return null;
}

function facts(e) {
  const rows = [
    ['统一社会信用代码', e.uscc + (e.legacyCode ? '（早期试点代码）' : '')], ['名称', e.name], ['类型', label('entityKind', e.kind)],
    ['状态', label('entityStatus', e.status)], ['地区', e.division && e.division.name], ['成立日期', e.registeredAt],
    ['注册资本（元）', e.registeredCapital], ['住所', e.address], ['行业', e.industry], ['法定代表人', e.legalRepresentative && e.legalRepresentative.name],
  ];
  return h('section', { class: 'card facts', id: 'profile-facts' }, h('div', { class: 'card-head' }, h('h3', {}, '登记信息')),
    h('dl', {}, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, fmt(v))])));
}

function gradeCard(e, err) {
  const card = h('section', { class: 'card grade', id: 'profile-grade' }, h('div', { class: 'card-head' }, h('h3', {}, '信用等级')));
  const g = e.rating;
  if (err) {
    card.append(errorBox(err));
    return card;
  }
  if (!g) {
    card.append(h('p', { class: 'note' }, '当前身份无权查看信用等级（仅限监管部门）。'));
    return card;
  }
  card.append(h('div', { class: 'grade-value grade-' + g.grade, 'data-grade': g.grade }, g.grade, h('small', {}, ` ${g.points} 分`)));
  if (!g.complete) card.append(h('div', { class: 'warn' }, `${g.missingSources.map((d) => d.name).join('、')} 未响应：等级可能偏好。`));
  card.append(h('ul', {}, g.reasons.map((x) => h('li', {}, `${x.description}（${x.count} 项，${x.points} 分）`))));
  return card;
}

// timeline lists the records newest first, and above them each department
// asked: how many records it answered with, or that it did not answer.
function timeline(e, missing) {
  const recs = e.records ? e.records.edges.map((x) => x.node) : [];
  const perSource = h('ul', { class: 'sources', id: 'profile-sources' },
    e.sources.map((s) => {
      const down = !s.ok || missing.has(s.department.code);
      const n = recs.filter((r) => r.source.code === s.department.code).length;
      return h('li', { class: down ? 'source down' : 'source', 'data-source': s.department.code, 'data-ok': String(!down) },
        h('strong', {}, s.department.name), ' ',
        down ? h('span', { class: 'late' }, '未响应：数据缺失，不代表无记录') : h('span', {}, n ? `${n} 条记录` : '无记录'));
    }));
  const t = table({
    id: 'profile-records', title: '各部门信用记录时间线', file: `${e.uscc}-records.csv`,
    note: missing.size ? `注意：${[...missing.values()].join('、')} 未响应，时间线不完整。` : null,
    columns: [
      { label: '决定日期', key: 'decisionDate' }, { label: '部门', value: (x) => x.source.name }, { label: '类别', value: (x) => label('recordKind', x.kind) },
      { label: '文号', key: 'decisionNo' }, { label: '摘要', key: 'summary' }, { label: '公开', value: (x) => label('publicity', x.publicity) },
      { label: '状态', value: (x) => label('recordStatus', x.status) }, { label: '失信程度', value: (x) => label('severity', x.severity) },
    ],
    rows: recs,
  });
  t.querySelector('.card-head').after(perSource);
  t.classList.add('wide');
  return t;
}

function checkCard(uscc) {
  const select = h('select', { id: 'check-scenario' }, Object.entries(labels.scenario).map(([k, v]) => h('option', { value: k }, v)));
  const out = h('div', { id: 'check-result' });
  const card = h('section', { class: 'card', id: 'profile-check' }, h('div', { class: 'card-head' }, h('h3', {}, '信用核查（应查必查）')),
    h('div', { class: 'actions' }, select, h('button', { type: 'button', id: 'run-check', onclick: run }, '核查')), out);
  async function run() {
    out.replaceChildren(h('p', { class: 'note' }, '核查中…'));
    const r = await gql(`query Check($uscc: ID!, $s: Scenario!) {
      creditCheck(uscc: $uscc, scenario: $s) { id scenario complete missingSources { name } checkedAt
        measures { measure { code name kind department { name } legalBasis } triggers { recordId kind } gradeTrigger { grade } } }
    }`, { uscc, s: select.value });
    const c = r.data && r.data.creditCheck;
    if (!c) {
      out.replaceChildren(errorBox(new GraphQLError(r.errors)));
      return;
    }
    out.replaceChildren(
      c.complete ? h('p', { class: 'note' }, `核查完成：${c.measures.length} 项措施适用。`)
        : h('div', { class: 'warn' }, `核查不完整：${c.missingSources.map((d) => d.name).join('、')} 未响应，不能据此认定无限制。`),
      table({
        id: 'check-measures', title: `${label('scenario', c.scenario || select.value)} 适用的措施`, file: `${uscc}-check-${select.value}.csv`,
        columns: [
          { label: '措施', value: (m) => m.measure.name }, { label: '类别', value: (m) => label('measureKind', m.measure.kind) },
          { label: '实施部门', value: (m) => m.measure.department.name }, { label: '依据', value: (m) => m.measure.legalBasis },
          { label: '触发', value: (m) => m.triggers.map((t) => label('recordKind', t.kind))
            .concat(m.gradeTrigger ? [`信用等级${m.gradeTrigger.grade}`] : []).join('；') },
        ],
        rows: c.measures, empty: '无适用措施',
      }),
    );
  }
  return card;
}

function reportCard(uscc) {
  const select = h('select', { id: 'report-purpose' }, Object.entries(labels.reportPurpose).map(([k, v]) => h('option', { value: k }, v)));
  const out = h('div', { id: 'report-result' });
  const card = h('section', { class: 'card', id: 'profile-report' }, h('div', { class: 'card-head' }, h('h3', {}, '信用报告')),
    h('div', { class: 'actions' }, select, h('button', { type: 'button', id: 'issue-report', onclick: run }, '出具并下载')), out);
  async function run() {
    const r = await gql(`query Report($uscc: ID!, $p: ReportPurpose!) {
      creditReport(uscc: $uscc, purpose: $p) { number uscc purpose issuedAt issuedTo content contentSha256 signature keyId publicKey }
    }`, { uscc, p: select.value });
    const rep = r.data && r.data.creditReport;
    if (!rep) {
      out.replaceChildren(errorBox(new GraphQLError(r.errors)));
      return;
    }
    // The saved file is what `credithub report verify` and
    // verifyCreditReport check: number, issue time, content, signature.
    const file = `credit-report-${rep.number}.json`;
    download(file, JSON.stringify(rep, null, 2) + '\n', 'application/json');
    out.replaceChildren(h('p', { class: 'note', id: 'report-number', 'data-number': rep.number },
      `已出具报告 ${rep.number}（${rep.issuedAt}），SHA-256 ${rep.contentSha256.slice(0, 16)}…，已下载 ${file}。`));
  }
  return card;
}
