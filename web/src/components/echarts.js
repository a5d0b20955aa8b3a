// echarts.js - the parts of ECharts the UI uses, and its one theme. Only
// imported by EChart.vue, which only lazy routes use, so none of this is in
// the first load.
import * as echarts from 'echarts/core'
import { BarChart, LineChart, PieChart, FunnelChart } from 'echarts/charts'
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  DatasetComponent,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  FunnelChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  DatasetComponent,
  CanvasRenderer,
])

export const THEME = 'kechuang'

echarts.registerTheme(THEME, {
  color: ['#1f5fbf', '#2fa37a', '#e6a23c', '#d9534f', '#7b61c2', '#3aa0c8', '#8c8c8c', '#c2185b', '#5b8c00', '#a0522d', '#0e7c86', '#b8860b'],
  backgroundColor: 'transparent',
  textStyle: {
    fontFamily: "system-ui, 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif",
  },
  title: { textStyle: { fontSize: 14, fontWeight: 600, color: '#303133' } },
  legend: { textStyle: { color: '#606266' } },
  categoryAxis: {
    axisLine: { lineStyle: { color: '#c0c4cc' } },
    axisLabel: { color: '#606266' },
    splitLine: { show: false },
  },
  valueAxis: {
    axisLine: { show: false },
    axisLabel: { color: '#606266' },
    splitLine: { lineStyle: { color: '#ebeef5' } },
  },
  bar: { barMaxWidth: 36 },
  line: { symbolSize: 6, smooth: false },
})

export { echarts }
