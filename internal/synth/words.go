package synth

// Word lists for names and text. They are deliberately generic so that no
// generated name is a real organisation's (real provider names such as those
// in the research reports are never used).

var (
	adjectives = []string{
		"Bright", "Open", "Steady", "Forward", "Clear", "Shared", "First", "Next",
		"Common", "Better", "Brave", "Fresh", "Able", "Willow", "Valley", "Northern",
		"Southern", "Harbour", "Beacon", "Evergreen", "Upward", "Gateway", "Rising", "Keystone",
	}
	nouns = []string{
		"Pathways", "Works", "Futures", "Steps", "Routes", "Horizons", "Prospects",
		"Bridges", "Directions", "Journeys", "Compass", "Springboard", "Ladders",
		"Starts", "Ventures", "Footings", "Tracks", "Crossings",
	}
	suffixes = []string{"", "", "", "Trust", "CIC", "Partnership", "Project", "Network", "Ltd"}
	// places stand in for a town when a district has none, and name
	// national providers.
	places = []string{
		"Riverside", "Hillcrest", "Meadowbank", "Oakfield", "Brookside", "Millstone",
		"Harbourside", "Fernlea", "Ashgrove", "Kestrel", "Heron", "Larkspur",
		"Thornbury Vale", "Elmstead", "Copperbeech", "Foxglove",
	}
	streets      = []string{"Mill", "Station", "Church", "Market", "Victoria", "Albert", "Park", "High", "Queen", "King", "Chapel", "Bridge", "Canal", "Castle", "Meadow", "Orchard", "Granby", "Holly", "Union", "Water"}
	streetKinds  = []string{"Street", "Road", "Lane", "Way", "Avenue", "Place"}
	venueKinds   = []string{"Community Centre", "Library", "Neighbourhood Hub", "Family Centre", "Community Rooms"}
	partnerKinds = []string{"Learning Trust", "Money Advice Centre", "Volunteer Centre", "Skills College", "Community Trust", "Wellbeing Service", "Enterprise Agency"}
	surnames     = []string{"Ahmed", "Brennan", "Clarke", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Iqbal", "Jones", "Kaur", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Reid", "Singh", "Taylor", "Walsh", "Young"}
	initials     = "ABCDEFGHJKLMNPRSTW"
)

// typeNames holds name endings and a one-line summary for every provider
// type other than job_broker, which uses adjective and noun names.
var typeNames = map[string]struct {
	endings []string
	summary string
}{
	"condition_management":    {[]string{"Condition Management Programme", "Health and Work Programme"}, "helps people understand and manage a health condition so that work becomes possible"},
	"work_preparation":        {[]string{"Work Preparation", "Work Prep Centre"}, "offers short, individual programmes to build confidence and try out work"},
	"workstep":                {[]string{"Supported Employment", "Supported Jobs"}, "gives supported employment to people who need ongoing help in a job"},
	"residential_training":    {[]string{"Residential Training College", "Training College"}, "runs residential vocational courses for people who need them"},
	"work_psychologist":       {[]string{"Work Psychology Service", "Occupational Psychology"}, "assesses and advises on work and health, usually through a Disability Employment Adviser"},
	"access_to_work":          {[]string{"Access to Work Support", "Workplace Adjustments Service"}, "helps with the extra costs of work caused by a health condition, such as equipment or travel"},
	"job_introduction_scheme": {[]string{"Job Introduction Scheme", "Job Trials"}, "arranges job trials with a weekly grant to the employer for the first weeks"},
	"programme_centre":        {[]string{"Programme Centre", "Job Search Centre"}, "runs job search workshops and short courses"},
	"progress2work":           {[]string{"Progress2work", "Recovery into Work"}, "helps people recovering from drug use move into work"},
	"training":                {[]string{"Skills Centre", "Adult Learning", "Training Centre"}, "offers courses in skills and qualifications for adults"},
	"in_work_support":         {[]string{"In-Work Support", "Stay in Work Service"}, "helps people stay in work after starting a job"},
	"debt_advice":             {[]string{"Money Advice", "Debt Advice Centre"}, "gives free advice about debts and money"},
	"drugs_alcohol":           {[]string{"Recovery Service", "Drug and Alcohol Service"}, "supports people with drug or alcohol use"},
	"bereavement":             {[]string{"Bereavement Support", "Bereavement Service"}, "supports people after someone has died"},
	"housing":                 {[]string{"Housing Advice", "Housing Options Service"}, "helps with housing problems and homelessness"},
}

const jobBrokerSummary = "helps people with health conditions and disabilities find and keep paid work"

// incentiveTriggers says when each kind of incentive is paid.
var incentiveTriggers = map[string]string{
	"job_entry_payment":         "When you start any paid job",
	"thirteen_week_payment":     "When you have been in the same job for 13 weeks",
	"bridging_payment":          "Until your first wage is paid",
	"travel_costs":              "Fares to interviews and for your first weeks in work",
	"clothing_equipment":        "Clothes or equipment for an interview or a new job",
	"training_fees":             "Fees for an agreed course",
	"childcare_costs":           "Childcare while you train or start work",
	"employer_wage_subsidy":     "Paid to the employer for the first weeks of the job",
	"employer_training_subsidy": "Paid to the employer for agreed training",
}

// signpostTo says where each out-of-scope need is sent; %s is the town.
var signpostTo = map[string]string{
	"mental_health_treatment": "the local community mental health team",
	"drugs_alcohol":           "%s Recovery Service",
	"housing":                 "the council's housing options team",
	"debt":                    "%s Money Advice Centre",
	"bereavement":             "%s Bereavement Service",
	"caring":                  "%s Carers' Centre",
}

// dramaPhones maps postcode areas to the matching telephone number prefix
// in Ofcom's ranges reserved for drama, each followed by three digits; other
// areas use dramaOther.
var dramaPhones = map[string]string{
	"LS": "0113 496 0", "S": "0114 496 0", "NG": "0115 496 0", "LE": "0116 496 0",
	"BS": "0117 496 0", "RG": "0118 496 0", "B": "0121 496 0", "EH": "0131 496 0",
	"G": "0141 496 0", "L": "0151 496 0", "M": "0161 496 0", "NE": "0191 498 0",
	"E": "020 7946 0", "EC": "020 7946 0", "N": "020 7946 0", "NW": "020 7946 0",
	"SE": "020 7946 0", "SW": "020 7946 0", "W": "020 7946 0", "WC": "020 7946 0",
	"CF": "029 2018 0", "BT": "028 9649 6",
}

const (
	dramaFreephone = "0808 157 0" // 08081 570xxx
	dramaTextphone = "01632 960"
	dramaOther     = "01632 960"
)
