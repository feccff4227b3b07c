"""What the predicted runner optimises: the effort goals and their weights.

The objective is effort per distance travelled (integrated over the simulated interval and
divided by the distance, so faster or slower strides are compared fairly):

    J = 1/d * integral( w_metabolic * sum_i Edot_i / m            (W/kg: metabolic energy rate)
                      + w_activation * mean_i a_i^p             (muscle effort, p = 3)
                      + w_reserve * mean_j (tau_res_j / tau_max_j)^2
                      + w_acceleration * mean_j (qdd_j / s_j)^2    (small regularisation)
                      + w_tendon_rate * mean_k (dFt_k / 10)^2
                      + w_passive * mean_j (tau_pass_j / (0.1 m g))^2
                      + w_friction * sum_s (-F_t,s v_s) / m       (contact friction power)
                      + w_damping * sum_s (-F_damping,s v_y,s) / m ) dt  (contact damping power)

Choice and sources: Falisse et al. 2019 (J R Soc Interface 16:20190402) combine the metabolic energy
rate with squared activations, joint accelerations and passive torques, weighted and normalised per
distance; Dembia et al. 2020 (PLoS Comput Biol 16:e1008493, OpenSim Moco) use summed squared
controls per distance. Activations cubed follow Crowninshield & Brand 1981 (J Biomech 14:793,
endurance criterion). Effort-only objectives with rigid tendons give too quick a cadence (seen in
OpenSim Moco's predictive running); the metabolic term and the compliant Achilles and patellar
tendons bring it back to human values.

Weights (this project's choice, measured at 3.5 m/s level with the Rajagopal 2016 strengths): with
w_activation = 1 the metabolic term was 95 % of the objective and vasti, gastrocnemius and toe
flexors peaked at 0.86-1.0 activation (so "most loaded" ranked strength limits); w_activation = 10
makes the activation term about 15 % of the objective and spreads the load (soleus 0.83 -> 0.58,
toe flexors 1.0 -> 0.69) at a 5 % higher metabolic cost. The vasti still peak at about 0.93.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Goals"]


@dataclass(frozen=True)
class Goals:
    """Weights of the effort terms (dimensionless; terms are normalised to order one)."""

    metabolic: float = 0.1
    activation: float = 10.0
    activation_exponent: int = 3
    reserve: float = 1000.0
    acceleration: float = 0.01
    tendon_rate: float = 0.001
    #: passive joint moments (range-of-motion limits) squared, per 0.1 m g: without it the
    #: optimiser hangs the trunk and pelvis on the ligament springs (measured: lumbar at its
    #: flexion limit, pelvis tilted 21 deg back in walking), as Falisse et al. 2019 also found
    passive: float = 1.0
    #: power dissipated by the contact friction, W/kg (:func:`runmuscles.ocp.node.friction_power`),
    #: and by the Hunt-Crossley damping of the contact's normal force
    #: (:func:`runmuscles.ocp.node.damping_power`). Without them the smooth contact brakes for
    #: free: in the strides solved without them a third of the braking impulse at 3.5 m/s came
    #: from heels skidding at up to 2 m/s, and at 3.0 m/s -20 % the contact dissipated 3.5 J/kg
    #: per stride against 1.4 J/kg of eccentric muscle work. Real feet do not skid, and shoe and
    #: heel pad return most of their compression energy, so this project charges both (its
    #: choice: weight 1, ten times the metabolic weight per W/kg; 0.1 changed little). Measured
    #: warm from the strides solved without them: 3.5 m/s level peak braking 0.56 -> 0.46 BW
    #: (runners 0.3-0.5), sliding share of braking 33 -> 11 %, eccentric muscle work +22 %,
    #: cadence 150 -> 142 steps/min; walking 1.8 m/s -10 % neither skates (loaded slip
    #: 0.07 m/s) nor stamps (2.4 BW). Friction alone made that walk stamp (4.3 BW): every
    #: contact dissipation has to be charged, not one of them.
    #: Friction's weight was raised from 1 to 10 (100 times the metabolic weight per W/kg; this
    #: project's choice) when, with 1, the strides at 6.0-6.5 m/s and in fast climbs still
    #: landed on a forefoot skidding forward at 1.3-1.6 m/s under half a body weight (the atlas
    #: refused them), braking at up to 1.0 BW. Measured warm: 6.0 m/s level slip 1.43 -> 0.11
    #: m/s, braking 1.0 -> 0.42 BW; 3.5 m/s level braking 0.52 -> 0.32 BW, sliding share of
    #: braking 9 -> 0.6 %, cadence 145 -> 157 steps/min, cost of transport +4 %.
    friction: float = 10.0
    damping: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
