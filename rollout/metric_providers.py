"""The modules that provide gate metrics, imported for the metrics they register.

Imported where Rollout starts (app.py, the CLI, the demo, the tests' set-up), so that every gate sees
every metric; a module that adds metrics is added here.
"""

from rollout import metric_explanations
from rollout.marketing import campaigns, content, talent
from rollout.sales import metrics as sales_metrics

PROVIDERS = (sales_metrics, campaigns, content, talent, metric_explanations)
