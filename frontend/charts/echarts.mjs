// The dashboard's ECharts: only the line chart and the parts it draws with,
// bundled by esbuild into public/vendor/echarts.js (see `make vendor`).
// charming's wasm renderer calls the global `echarts`.
import * as echarts from "echarts/core";
import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);
globalThis.echarts = echarts;
