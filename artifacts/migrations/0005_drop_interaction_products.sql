-- depends: 0004_generated_content
-- insights.interaction_facts (0003) gives each interaction's product and customer type;
-- this older view repeated the product half of that definition and nothing reads it now.
DROP VIEW insights.interaction_products;
