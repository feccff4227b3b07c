"""What the predicted runner optimises: the effort goals and their weights.

The objective is effort per distance travelled (integrated over the simulated interval and
divided by the distance, so faster or slower strides are compared fairly):

    J = 1/d * integral( w_metabolic * sum_i Edot_i / m            (W/kg: metabolic energy rate)
                      + w_activation * mean_i a_i^p             (muscle effort, p = 3)
                      + w_reserve * mean_j (tau_res_j / tau_max_j)^2
                      + w_acceleration * mean_j (qdd_j / s_j)^2    (small regularisation)
                      + w_tendon_rate * mean_k (dFt_k / 10)^2
                      + w_passive * mean_j (tau_pass_j / (0.1 m g))^2
                      + w_friction * sum_s (-F_t,s v_s) / m            (off by default)
                      + w_damping * sum_s (-F_damping,s v_y,s) / m ) dt  (off by default)

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
    #: power dissipated by the contact friction, W/kg (:func:`runmuscles.ocp.node.friction_power`).
    #: Off by default (the shipped strides and atlas are solved without it). Measured at 3.5 m/s
    #: level, warm from the shipped stride: weight 1 brings the peak braking force from 0.56 to
    #: 0.37 BW (runners 0.3-0.5) and the braking impulse from sliding heels from 33 % to 12 %,
    #: cost 4.85 vs 4.86 J/kg/m, cadence 146 vs 150 steps/min; weight 0.1 changes little (0.54 BW)
    friction: float = 0.0
    #: power dissipated by the contact's normal damping, W/kg
    #: (:func:`runmuscles.ocp.node.damping_power`). Off by default. Charged together with
    #: ``friction`` (both 1), measured warm from the shipped strides: 3.5 m/s level braking
    #: 0.46 BW, eccentric muscle work +22 %, cadence 142; walking 1.8 m/s at -10 % no longer
    #: skates (loaded slip 0.07 m/s) nor stamps (2.4 BW); friction alone made it stamp (4.3 BW)
    damping: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
