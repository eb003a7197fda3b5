"""Programme supervision (任务督办) and reports (报告) of a city's pilot programme (issue 23)."""
