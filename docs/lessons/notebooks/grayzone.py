# %% [markdown]
# # Gray-zone salami slicing
#
# **The question.** No single incident is worth a war, but many wear resolve down. How much does it
# help to attribute incidents in time, and how much does a partner's intelligence sharing add? The
# model and its closed forms are explained in the lesson page, [grayzone.md](../grayzone.md). Here
# each case simulates 200 campaigns, to run quickly; the lesson page simulates 2,000.

# %%
# %matplotlib inline
from IPython.display import display

from wargame.teaching import get_model, run_teaching_model

model = get_model("grayzone")
run = run_teaching_model("grayzone", runs=200)
print(run.text)

# %% [markdown]
# Resolve over the campaign with and without sharing (thin lines: single campaigns), and the share of
# incidents attributed in time.

# %%
for figure in model.figures(run.results).values():
    display(figure)

# %% [markdown]
# ## Change a parameter
#
# A slower sharing link, in the default case only.

# %%
slow_link = run_teaching_model("grayzone", case="default", assignments=["link_latency_hours=48"], runs=200)
print(slow_link.text)

# %% [markdown]
# ## Exercises
#
# 1. How slow can the sharing link be before sharing stops helping? Try `link_latency_hours=48` and then
#    49, and explain the jump from the formula for P(timely). What happens to the share attributed
#    *at all*?
# 2. Double the incident rate (`incident_rate_per_day=0.4`, every case). Does erosion double? Does the
#    benefit of sharing, in resolve saved, double too?
# 3. Start from `case="slow_analysts"`. Which helps the defender more on its own: better sensors
#    (`own_detection_probability=0.8`) or faster analysts (`own_attribution_hours=48`)? How much does
#    each add once a partner shares?
# 4. Real campaigns are bursty: an incident makes the next one more likely (a self-exciting or Hawkes
#    process). Without coding, argue whether burstiness changes the *expected* erosion in this model,
#    and what it does to its *variance* and to the worst campaigns.
