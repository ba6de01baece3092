// Small DOM helpers, tables that export CSV, and the Chinese labels of the
// graph's enums.

// h builds an element: h('td', {class: 'num'}, 'text', child, …).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// csvText is the CSV of rows under columns: UTF-8 with a byte-order mark,
// so that Excel reads the Chinese text as UTF-8, CRLF line ends, fields
// quoted when they hold a comma, a quote or a line break (RFC 4180).
export function csvText(columns, rows) {
  const field = (v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  const lines = [columns.map((c) => field(c.label)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => field(cellValue(c, r))).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

function cellValue(c, r) {
  return c.value ? c.value(r) : r[c.key];
}

// download offers text as a file.
export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// table renders rows under columns ({label, key | value(row), render(row)?,
// num?}) with a title and a button that exports exactly those rows as CSV.
export function table({ id, title, columns, rows, file, empty, note }) {
  const body = rows.length
    ? rows.map((r) =>
        h('tr', {}, columns.map((c) => {
          const v = cellValue(c, r);
          const cls = c.num ? 'num' : /^\d{4}-\d{2}-\d{2}/.test(String(v)) ? 'nowrap' : null;
          return h('td', { class: cls }, c.render ? c.render(r) : fmt(v));
        })),
      )
    : [h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty || '暂无数据'))];
  return h(
    'section',
    { class: 'card table-card', id },
    h(
      'div',
      { class: 'card-head' },
      h('h3', {}, title),
      h('span', { class: 'count' }, `${rows.length} 条`),
      h(
        'button',
        { type: 'button', class: 'csv', 'data-csv': file, onclick: () => download(file, csvText(columns, rows), 'text/csv;charset=utf-8') },
        '导出 CSV',
      ),
    ),
    note ? h('p', { class: 'note' }, note) : null,
    h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c.label)))), h('tbody', {}, body))),
  );
}

export function fmt(v) {
  if (v === null || v === undefined || v === '') return '—';
  return String(v);
}

export function pct(x) {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : (x * 100).toFixed(1) + '%';
}

// errorBox shows what went wrong where a part of a page should be.
export function errorBox(err) {
  return h('div', { class: 'error', role: 'alert' }, err && err.message ? err.message : String(err));
}

export function today() {
  return isoDate(new Date());
}

export function isoDate(d) {
  const z = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
  return z.toISOString().slice(0, 10);
}

export function addDays(date, n) {
  const d = new Date(date + 'T00:00:00');
  d.setDate(d.getDate() + n);
  return isoDate(d);
}

export const labels = {
  recordKind: {
    LICENCE: '行政许可', PENALTY: '行政处罚', INSPECTION: '检查结果', COMPLAINT: '12315投诉',
    ABNORMAL_OPERATION: '经营异常', DISCHARGE_PERMIT: '排污许可', ENVIRONMENTAL_CREDIT_RATING: '环境信用评价',
    QUALIFICATION: '建筑业资质', ACCIDENT: '质量安全事故', BAD_CONDUCT: '不良行为', DISHONEST_DEBTOR: '失信被执行人',
    CONSUMPTION_RESTRICTION: '限制消费', FALSE_LITIGATION: '虚假诉讼失信', COMMITMENT_BREACH: '违背信用承诺',
    INTERVIEW: '约谈记录', LISTING: '名单认定', KEY_ATTENTION: '重点关注', MONITORING_FINDING: '跟踪监测',
    SELF_DECLARATION: '自我声明', ADMINISTRATIVE_COERCION: '行政强制', ADMINISTRATIVE_CONFIRMATION: '行政确认',
    ADMINISTRATIVE_LEVY: '行政征收', ADMINISTRATIVE_BENEFIT: '行政给付', ADMINISTRATIVE_ADJUDICATION: '行政裁决',
    ADMINISTRATIVE_COMPENSATION: '行政补偿', ADMINISTRATIVE_REWARD: '行政奖励',
  },
  listType: { JOINT_PUNISHMENT: '联合惩戒对象名单', KEY_ATTENTION: '重点关注对象名单', MARKET_BAN: '市场和行业禁入' },
  publicity: { PUBLIC: '公开', SHARED: '共享', PERSONAL: '个人信息' },
  recordStatus: { EFFECTIVE: '有效', UNDER_OBJECTION: '异议中', CORRECTED: '已更正', REVOKED: '已撤销', REPAIRED: '已修复', EXPIRED: '已到期' },
  severity: { MINOR: '轻微', GENERAL: '一般', SERIOUS: '严重' },
  entityKind: { ENTERPRISE: '企业', INDIVIDUAL_BUSINESS: '个体工商户', FARMERS_COOPERATIVE: '农民专业合作社', OTHER_ORGANISATION: '其他组织' },
  entityStatus: { ACTIVE: '存续', REVOKED: '吊销', CANCELLED: '注销', MOVED_OUT: '迁出' },
  objectionState: { FILED: '已提交', CHECKED: '已核查', UPHELD: '已采纳', REJECTED: '已驳回' },
  repairState: { APPLIED: '已申请', ACCEPTED: '已受理', REFUSED: '不予受理', REPAIRED: '已修复', DENIED: '不予修复', REVERSED: '已撤回修复' },
  commitmentState: { SIGNED: '已签署', FULFILLED: '已履行', BREACHED: '已违背', FOUND_FALSE: '虚假承诺' },
  listState: { LISTED: '在列', REMOVED: '已移出' },
  warningLevel: { NOTICE: '提示', WARNING: '预警', ALERT: '警报' },
  scenario: {
    ADMINISTRATIVE_APPROVAL: '行政审批', PUBLIC_PROCUREMENT: '政府采购', BIDDING: '招标投标',
    STATE_FUNDING: '财政资金', QUALIFICATION_REVIEW: '资质审核', MARKET_ACCESS: '市场准入',
  },
  reportPurpose: {
    PUBLIC_PROCUREMENT: '政府采购', BIDDING: '招标投标', ADMINISTRATIVE_APPROVAL: '行政审批',
    MARKET_ACCESS: '市场准入', QUALIFICATION_REVIEW: '资质审核', AGENCY_SERVICE: '信用服务',
  },
  measureKind: { RESTRICTION: '惩戒', REWARD: '激励' },
};

export function label(kind, v) {
  if (v === null || v === undefined) return '—';
  return (labels[kind] && labels[kind][v]) || v;
}
