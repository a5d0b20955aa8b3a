// format.test.mjs - the UI's formatters (web/src/format.js) in node: 万元
// from integer 元 without floating point, exact percentages, dates and the
// 统一社会信用代码 display. Needs no browser; run by tests/scripts/e2e.sh.
import { harness, assert } from './harness.mjs'
import { wanYuan, percentOf, percent, formatDate, formatUscc, normalizeUscc } from '../../web/src/format.js'

const h = harness()
const eq = (a, b) => assert(a === b, `${JSON.stringify(a)} !== ${JSON.stringify(b)}`)

h.test('wanYuan: 万元 from integer 元, 2 decimals, half away from zero', () => {
  eq(wanYuan(0), '0.00')
  eq(wanYuan(50000000), '5,000.00')
  eq(wanYuan(123456789), '12,345.68')
  eq(wanYuan(-123456789), '-12,345.68')
  eq(wanYuan(49), '0.00')
  eq(wanYuan(50), '0.01')
  eq(wanYuan(-49), '0.00')
  eq(wanYuan(999950), '100.00')
  eq(wanYuan('12'), '0.00')
})

h.test('wanYuan: beyond 2^53 through strings and BigInt, exact', () => {
  eq(wanYuan('123456789012345678901', 'exact'), '12,345,678,901,234,567.8901')
  eq(wanYuan(12345678901234567890n, 4), '1,234,567,890,123,456.7890')
  eq(wanYuan('900719925474099312345', 0), '90,071,992,547,409,931')
  eq(wanYuan(12300, 'exact'), '1.23')
  eq(wanYuan(10000, 'exact'), '1')
  eq(wanYuan(1.5), '')
  eq(wanYuan('12a'), '')
})

h.test('percentOf: exact ratio of integers, cut not rounded', () => {
  eq(percentOf(1, 3), '33.3%')
  eq(percentOf(2, 3), '66.6%')
  // the list's latest_rd_bp is rd * 10000 / sales (integer division): the
  // yearly table must show the same 15.03% for 1503.9 bp
  eq(percentOf(15039, 100000, 2), '15.03%')
  eq(percentOf(-2, 3), '-66.6%')
  eq(percentOf(10, 100, 0), '10%')
  eq(percentOf(1, 8, 2), '12.50%')
  eq(percentOf(1, 0), '')
  eq(percent(0.123), '12.3%')
})

h.test('dates and 统一社会信用代码', () => {
  eq(formatDate('2026-03-05'), '2026-03-05')
  eq(formatDate('garbage'), '')
  eq(normalizeUscc(' ９１１２０１１６ma05xxxxx1 '), '91120116MA05XXXXX1')
  eq(formatUscc('91120116MA05XXXXX1'), '91 120116 MA05XXXXX 1')
  eq(formatUscc('123'), '123')
})

process.exit((await h.run()) ? 1 : 0)
