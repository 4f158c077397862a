/**
 * The API's JSON shapes, as the API declares them (src/http/schemas): the web app reads what
 * the server's schemas say it sends. A type-only import, so nothing of the server is bundled.
 */

export type {
  ActivityView as Activity,
  BankView as Bank,
  FoundSignalView,
  LabelsView as Labels,
  MeView as Me,
  PercentilesView as Percentiles,
  ReviewDetailView as ReviewDetail,
  ReviewEntryView as ReviewEntry,
  SessionView as Session,
  SignalOpinionsView as SignalDetail,
  SignalView,
  StanceMeasurementView as StanceMeasurement,
  StancePeriodView as StancePeriod,
  TakedownMeasurementView as TakedownReport,
  ReuploadMeasurementView as ReuploadReport,
  TimeToActionView as TimeToAction,
  CounterItemView as CounterItem,
  CounterFiguresView as CounterFigures,
  CounterComparisonView as CounterComparison,
  CampaignFiguresView as CampaignFigures,
  RedirectView as RedirectAnswer,
  ReviewAccountsView as ReviewAccounts,
} from "../../../src/http/schemas/index.js";
